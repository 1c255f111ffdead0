"""Helpers shared by the suites and benches that drive a running local cloud."""

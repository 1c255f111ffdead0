"""Deployment helpers that ship with the repository (the state server's entrypoint, the static site's post-processing)."""

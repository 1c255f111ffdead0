"""The proof suites at full size (load, faults, kill -9, attack, input, concurrency), with their figures.

    python bench/proof.py          # full size: ~2 min of load, 24 faulty customers, 60 examples/op
    python bench/proof.py --ci     # the sizes `scripts/test` runs

Runs `pytest tests/proof` with EPOINT_PROOF_SCALE=full; each suite records what it
measured, and this prints the figures, headline first:

    load_rps: N
    load_p50_ms[POST /merchants/{merchant_id}/visits/{visit_id}/earn]: N   (p95, p99 too)
    load_errors: 0
    reconcile_discrepancies: 0
    faults_injected: N
    points_lost_or_doubled: 0
    authz_cases: N
    authz_failures: 0
    schemathesis_5xx: 0

The exit code is pytest's: a broken promise fails the run, whatever the figures say.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
HEADLINE = (
    "load_rps",
    "load_requests",
    "load_errors",
    "reconcile_discrepancies",
    "reconcile_during_load_discrepancies",
    "faults_injected",
    "points_lost_or_doubled",
    "crash_reconcile_discrepancies",
    "authz_cases",
    "authz_failures",
    "schemathesis_cases",
    "schemathesis_5xx",
    "schemathesis_schema_failures",
    "concurrency_redemptions_succeeded",
    "concurrency_redemptions_409",
)


def run_suites(full: bool, pytest_args: list[str]) -> tuple[int, dict[str, Any], float]:
    """Run tests/proof; returns (pytest's exit code, the figures recorded, seconds)."""
    with tempfile.TemporaryDirectory(prefix="epoint-proof-") as tmp:
        figures_file = Path(tmp) / "figures.jsonl"
        env = dict(os.environ, EPOINT_PROOF_FIGURES=str(figures_file))
        if full:
            env["EPOINT_PROOF_SCALE"] = "full"
        env["PYTHONPATH"] = str(REPO)
        started = time.monotonic()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "tests/proof",
                "-q",
                "-p",
                "no:cacheprovider",
                *pytest_args,
            ],
            cwd=REPO,
            env=env,
            check=False,
        )
        seconds = time.monotonic() - started
        figures: dict[str, Any] = {}
        if figures_file.exists():
            for line in figures_file.read_text(encoding="utf-8").splitlines():
                record = json.loads(line)
                figures[record["name"]] = record["value"]
    return done.returncode, figures, seconds


def _ordered(figures: dict[str, Any]) -> list[str]:
    """Headline figures first, then load per-route latencies, then the rest."""
    names = [n for n in HEADLINE if n in figures]
    routes = sorted(
        {n.split("[", 1)[1].rstrip("]") for n in figures if n.startswith("load_p50_ms[")}
    )
    for route in routes:
        names += [
            f"load_{kind}[{route}]"
            for kind in ("requests", "p50_ms", "p95_ms", "p99_ms")
            if f"load_{kind}[{route}]" in figures
        ]
    return names + sorted(n for n in figures if n not in names)


def main(argv: list[str] | None = None) -> int:
    """Run the suites and print `name: value` lines."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ci", action="store_true", help="the CI sizes instead of full size")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (e.g. -k load)")
    args = parser.parse_args(argv)
    code, figures, seconds = run_suites(not args.ci, args.pytest_args)
    print()
    print(f"proof_scale: {'ci' if args.ci else 'full'}")
    print(f"proof_seconds: {seconds:.0f}")
    for name in _ordered(figures):
        value = figures[name]
        if isinstance(value, float) and value.is_integer() and "_ms[" in name:
            value = int(value)
        print(f"{name}: {json.dumps(value) if isinstance(value, dict) else value}")
    print(f"proof_tests_passed: {code == 0}")
    return code


if __name__ == "__main__":
    sys.exit(main())

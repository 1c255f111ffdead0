"""The proof suites: load, faults, attack, concurrency, reconciliation (issue 7).

They run in `scripts/test` at CI size; `python bench/proof.py` runs them at full size
(`EPOINT_PROOF_SCALE=full`) and prints the figures each suite records through `figures`
(written to the file named by `EPOINT_PROOF_FIGURES` when set).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.local_cloud import REPO, RunningCloud, gateway_client, running_cloud
from tests.support.world import OverHttp, World

FULL = os.environ.get("EPOINT_PROOF_SCALE") == "full"


def scale(ci: Any, full: Any) -> Any:
    """The CI-sized value, or the full-sized one under `bench/proof.py`."""
    return full if FULL else ci


class Figures:
    """Named figures a suite measured, for bench/proof.py to print."""

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None

    def record(self, name: str, value: Any) -> None:
        """Remember one figure (the last value of a name wins)."""
        if self.path is None:
            return
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"name": name, "value": value}) + "\n")


@pytest.fixture(scope="session")
def figures() -> Figures:
    """Where suites put their figures."""
    return Figures(os.environ.get("EPOINT_PROOF_FIGURES"))


# The stress suites (load, faults, kill -9) drive a handful of test tills and customers as
# hard as the machine allows: one of them does what hundreds of real ones do, far past the
# per-caller limits (backend/logic/limits.py). They run the cloud as a load-test
# deployment would (template parameter PerCallerLimitScale); the attack suites keep the
# production limits, and tests/proof/test_proof_abuse.py shows them at work.
LOAD_TEST_FLAGS = ("--parameter", "PerCallerLimitScale=1000")


@pytest.fixture(scope="module")
def proof_cloud(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningCloud]:
    """A fresh local cloud per proof module (no persistence), so each reconciles alone;
    a module's `CLOUD_FLAGS` are added to its command line."""
    flags = getattr(request.module, "CLOUD_FLAGS", ())
    with running_cloud(tmp_path_factory.mktemp("proof-cloud"), "--no-persist", *flags) as running:
        yield running


@pytest.fixture(scope="module")
def proof_api(proof_cloud: RunningCloud) -> Iterator[httpx.Client]:
    """An HTTP client for that cloud's gateway."""
    with gateway_client(proof_cloud, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def world(proof_cloud: RunningCloud, proof_api: httpx.Client) -> World:
    """The world builder over that gateway; balance changes retry a 5xx with the same key."""
    return World(OverHttp(proof_cloud.info, client=proof_api), patient=True)


def reconcile(api_url: str) -> tuple[int, str]:
    """Run `python -m ops.reconcile` against a local cloud: (discrepancies, its output)."""
    done = subprocess.run(
        [sys.executable, "-m", "ops.reconcile", "--local-cloud", api_url],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = [
        line for line in done.stdout.splitlines() if line.startswith("reconcile_discrepancies")
    ]
    assert lines, f"reconcile printed no total:\n{done.stdout}\n{done.stderr}"
    found = int(lines[-1].split(":")[1])
    assert done.returncode == (1 if found else 0), done.stdout + done.stderr
    return found, done.stdout

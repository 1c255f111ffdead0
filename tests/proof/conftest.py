"""The proof suites: load, faults, attack, concurrency, reconciliation (issue 7).

They run in `scripts/test` at CI size; `python bench/proof.py` runs them at full size
(`EPOINT_PROOF_SCALE=full`) and prints the figures each suite records through `figures`
(written to the file named by `EPOINT_PROOF_FIGURES` when set).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.local_cloud import RunningCloud, gateway_client, running_cloud

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


@pytest.fixture(scope="module")
def proof_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCloud]:
    """A fresh local cloud per proof module (no persistence), so each reconciles alone."""
    with running_cloud(tmp_path_factory.mktemp("proof-cloud"), "--no-persist") as running:
        yield running


@pytest.fixture(scope="module")
def proof_api(proof_cloud: RunningCloud) -> Iterator[httpx.Client]:
    """An HTTP client for that cloud's gateway."""
    with gateway_client(proof_cloud, timeout=60) as client:
        yield client

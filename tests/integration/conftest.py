"""The integration suite's shared local cloud (`python -m localcloud`), its gateway client and world."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.local_cloud import RunningCloud, gateway_client, running_cloud
from tests.support.world import OverHttp, World


@pytest.fixture(scope="session")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCloud]:
    """The shared local cloud for this test session (no persistence)."""
    with running_cloud(tmp_path_factory.mktemp("local-cloud"), "--no-persist") as running:
        yield running


@pytest.fixture(scope="module")
def own_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCloud]:
    """A cloud for one module alone (no persistence): a module that moves the clock must not
    age the shared cloud's codes and sign-ins."""
    with running_cloud(tmp_path_factory.mktemp("own-cloud"), "--no-persist") as running:
        yield running


@pytest.fixture(scope="module")
def own_api(own_cloud: RunningCloud) -> Iterator[httpx.Client]:
    """An HTTP client for the module's own cloud; its clock is put back afterwards."""
    with gateway_client(own_cloud) as client:
        yield client
        client.post("/dev/clock", json={"reset": True})


@pytest.fixture(scope="module")
def own_world(own_cloud: RunningCloud, own_api: httpx.Client) -> World:
    """The world builder over the module's own cloud."""
    return World(OverHttp(own_cloud.info, client=own_api))


@pytest.fixture(scope="session")
def api(cloud: RunningCloud) -> Iterator[httpx.Client]:
    """An HTTP client for the local gateway."""
    with gateway_client(cloud) as client:
        yield client


@pytest.fixture(scope="session")
def world(cloud: RunningCloud, api: httpx.Client) -> World:
    """The world builder over the shared cloud's gateway."""
    return World(OverHttp(cloud.info, client=api))

"""`POST /dev/clock`: the local cloud's time travel, so expiry is testable without waiting."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.support.local_cloud import (
    PASSWORD,
    RunningCloud,
    cognito_client,
    gateway_client,
    new_email,
    outbox_code,
)
from tests.support.world import OverHttp, World


@pytest.fixture
def api(own_cloud: RunningCloud) -> Iterator[httpx.Client]:
    """A client for the cloud's gateway; the clock is back to real time after each test."""
    with gateway_client(own_cloud) as client:
        yield client
        client.post("/dev/clock", json={"reset": True})


def _advance(api: httpx.Client, seconds: float) -> dict[str, object]:
    moved = api.post("/dev/clock", json={"advance_s": seconds})
    assert moved.status_code == 200, moved.text
    return moved.json()


def test_advancing_reports_the_offset_and_reset_returns_to_real_time(api: httpx.Client) -> None:
    assert api.get("/dev/clock").json()["offset_s"] == 0
    assert _advance(api, 600)["offset_s"] == pytest.approx(600, abs=1)
    assert _advance(api, 60)["offset_s"] == pytest.approx(660, abs=1)
    assert api.post("/dev/clock", json={"reset": True}).json()["offset_s"] == 0


@pytest.mark.parametrize("body", [{}, {"advance_s": -5}, {"advance_s": "60"}, {"advance_s": True}])
def test_a_bad_request_is_refused_and_moves_nothing(api: httpx.Client, body: dict) -> None:
    refused = api.post("/dev/clock", json=body)
    assert refused.status_code == 400
    assert "advance_s" in refused.json()["message"]
    assert api.get("/dev/clock").json()["offset_s"] == 0


def test_a_customer_code_and_a_visit_expire_when_the_clock_moves(
    own_cloud: RunningCloud, api: httpx.Client
) -> None:
    world = World(OverHttp(own_cloud.info, client=api))
    customer = world.customer()
    shop = world.business(world.owner())

    stale = world.token(customer)
    _advance(api, 61)  # a code lives 60 s
    scan = world.open_visit(shop, stale["token"])
    assert (scan.status, scan.code) == (410, "token_expired")

    visit = world.visit(shop, customer)
    _advance(api, 10 * 60 + 1)  # a visit lives 10 minutes
    earn = world.earn(visit, 500)
    assert (earn.status, earn.code) == (410, "visit_expired")


def test_a_sign_up_code_expires_on_the_same_clock(
    own_cloud: RunningCloud, api: httpx.Client
) -> None:
    idp = cognito_client(own_cloud.info)
    email = new_email()
    idp.sign_up(ClientId=own_cloud.client_id, Username=email, Password=PASSWORD)
    _advance(api, 24 * 3600 + 1)  # Cognito's sign-up codes live 24 hours
    with pytest.raises(ClientError) as excinfo:
        idp.confirm_sign_up(
            ClientId=own_cloud.client_id,
            Username=email,
            ConfirmationCode=outbox_code(own_cloud.info, email),
        )
    assert excinfo.value.response["Error"]["Code"] == "ExpiredCodeException"

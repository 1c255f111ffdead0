"""Deleting an account over the gateway, with real Cognito tokens: what a stolen session can't
do, and what is left once it is done (the local cloud's own clock is moved, so its own cloud)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.proof.conftest import reconcile
from tests.support.local_cloud import (
    PASSWORD,
    RunningCloud,
    gateway_client,
    pycognito_user,
    signed_up_user,
)
from tests.support.world import OverHttp, Person, World


@pytest.fixture
def world(own_cloud: RunningCloud) -> Iterator[World]:
    """The world over that cloud; its clock is back to real time after each test."""
    with gateway_client(own_cloud) as client:
        yield World(OverHttp(own_cloud.info, client=client))
        client.post("/dev/clock", json={"reset": True})


def _as(person: Person, access_token: str) -> Person:
    return Person(person.user_id, person.email, person.name, access_token)


def test_a_session_kept_alive_by_its_refresh_token_cannot_delete_the_account(
    own_cloud: RunningCloud, world: World
) -> None:
    user = signed_up_user(own_cloud.info, "Sasha Session")
    person = Person(user.access_claims["sub"], user.username, "Sasha Session")
    world.call("POST", "/dev/clock", None, body={"advance_s": 6 * 60}).expect(200)
    # Six minutes on, the session refreshes its tokens (as the state server does): the new
    # access token is valid, but it says the password was typed six minutes ago.
    user.renew_access_token()
    stale = world.call("DELETE", "/me", _as(person, user.access_token))
    assert (stale.status, stale.code) == (403, "reauthentication_required")
    assert world.call("GET", "/me", _as(person, user.access_token)).status == 200
    # Typing the password again is what deleting takes.
    user.authenticate(password=PASSWORD)
    world.call("DELETE", "/me", _as(person, user.access_token)).expect(200)


def test_a_deleted_account_cannot_sign_in_and_its_email_signs_up_as_someone_new(
    own_cloud: RunningCloud, world: World
) -> None:
    owner, customer = world.owner(), world.customer("Dana Deleted")
    shop = world.business(owner)
    world.earn(world.visit(shop, customer), 42_00).expect(201)
    world.call("DELETE", "/me", customer).expect(200)

    with pytest.raises(ClientError) as refused:
        pycognito_user(own_cloud.info, customer.email).authenticate(password=PASSWORD)
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    (entry, *_) = world.call("GET", f"{shop.path}/transactions", owner).expect(200)["items"]
    assert (entry["kind"], entry["customer_name"], entry["balance_after"]) == (
        "closure",
        "Deleted customer",
        0,
    )
    found, output = reconcile(own_cloud.api_url)
    assert found == 0, output

    again = world.customer("Dana Again", email=customer.email)
    assert again.user_id != customer.user_id
    me = world.call("GET", "/me", again).expect(200)
    assert (me["email"], me["display_name"]) == (customer.email, "Dana Again")
    assert world.call("GET", "/wallet", again).expect(200)["memberships"] == []


def test_the_gateway_route_table_serves_both_new_routes(own_cloud: RunningCloud) -> None:
    # Both routes exist at the gateway (from template.yaml) and need a token.
    for method, path in (("DELETE", "/me"), ("GET", "/me/export")):
        answer = httpx.request(method, f"{own_cloud.api_url}{path}", timeout=30)
        assert (answer.status_code, answer.json()) == (401, {"message": "Unauthorized"})

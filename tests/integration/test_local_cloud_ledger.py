"""The whole product through the local cloud: the trigger's profile, earning and redeeming, a restart."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.support.local_cloud import PASSWORD, RunningCloud, pycognito_user, start_cloud
from tests.support.world import OverHttp, World


def test_confirming_sign_up_creates_the_profile(world: World) -> None:
    ada = world.person("Ada Lovelace")
    me = world.call("GET", "/me", ada).expect(200)
    assert me["email"] == ada.email
    assert me["display_name"] == "Ada Lovelace"
    assert me["user_id"] == ada.user_id  # the `sub` of Cognito's access token


def test_earn_and_redeem_through_the_gateway(world: World) -> None:
    owner, customer = world.owner(), world.customer()
    shop = world.business(owner)
    visit = world.visit(shop, customer)

    assert world.earn(visit, 2599).expect(201)["balance"] == 25
    assert world.redeem(visit, points=10).expect(201)["balance"] == 15
    too_much = world.redeem(visit, points=16)
    assert (too_much.status, too_much.code) == (409, "insufficient_points")

    wallet = world.call("GET", "/wallet", customer).expect(200)["memberships"]
    assert [(m["merchant_id"], m["balance"]) for m in wallet] == [(shop.merchant_id, 15)]


def test_a_restart_keeps_users_and_balances_and_reset_wipes_them(tmp_path: Path) -> None:
    first = start_cloud(tmp_path)
    try:
        with World(OverHttp(first.info)) as world:
            customer = world.customer("Customer")
            shop = world.business(world.owner())
            world.earn(world.visit(shop, customer), 4200).expect(201)
    finally:
        assert first.stop() == 0

    second = start_cloud(tmp_path)
    try:
        assert (second.user_pool_id, second.client_id) == (first.user_pool_id, first.client_id)
        with World(OverHttp(second.info)) as world:
            again = world.sign_in(customer)
            # A browser session from before the restart keeps working: its refresh token too.
            remembered = pycognito_user(second.info, customer.email)
            remembered.refresh_token = customer.refresh_token
            remembered.renew_access_token()
            assert remembered.access_claims["sub"] == customer.user_id
            wallet = world.call("GET", "/wallet", again).expect(200)["memberships"]
            assert [(m["merchant_id"], m["balance"]) for m in wallet] == [(shop.merchant_id, 42)]
            assert world.call("GET", "/me", again).expect(200)["display_name"] == "Customer"
    finally:
        assert second.stop() == 0

    wiped = start_cloud(tmp_path, "--reset")
    try:
        with pytest.raises(ClientError):
            pycognito_user(wiped.info, customer.email).authenticate(password=PASSWORD)
    finally:
        wiped.stop()


def test_fifty_concurrent_redemptions_never_overdraw(cloud: RunningCloud, world: World) -> None:
    customer = world.customer()
    shop = world.business(world.owner())
    visit = world.visit(shop, customer)
    assert world.earn(visit, 25_000).expect(201)["balance"] == 250

    def redeem(_: int) -> int:
        with World(OverHttp(cloud.info, timeout=60)) as own:  # a connection of its own
            return own.redeem(visit, points=10).status

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(redeem, range(50)))

    assert statuses.count(201) == 25
    assert statuses.count(409) == 25
    assert world.balance(customer, shop) == 0
    ledger = world.call(
        "GET", "/transactions", customer, query={"merchant_id": shop.merchant_id, "limit": 100}
    ).expect(200)["items"]
    assert sum(entry["points"] for entry in ledger) == 0
    assert len(ledger) == 26


def test_periodic_saves_survive_a_crash(tmp_path: Path) -> None:
    first = start_cloud(tmp_path, "--save-interval", "0.3")
    try:
        with World(OverHttp(first.info)) as world:
            user = world.person("Survivor")
        time.sleep(1.5)  # a few save periods
    finally:
        first.process.kill()  # no shutdown save: only the periodic snapshot remains
        first.process.wait(timeout=10)
    assert not list(tmp_path.glob(".state-*")), "a half-written temp file was left behind"

    second = start_cloud(tmp_path)
    try:
        with World(OverHttp(second.info)) as world:
            again = world.sign_in(user)
            assert world.call("GET", "/me", again).expect(200)["display_name"] == "Survivor"
    finally:
        second.stop()

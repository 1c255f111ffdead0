"""The whole product through the local cloud: the trigger's profile, earning and redeeming, a restart."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.support.local_cloud import (
    PASSWORD,
    RunningCloud,
    bearer,
    pycognito_user,
    signed_up_user,
    start_cloud,
)


def _idempotent(token: str) -> dict[str, str]:
    return {**bearer(token), "idempotency-key": uuid.uuid4().hex}


def _open_visit(api: httpx.Client, merchant: Any, merchant_id: str, customer: Any) -> str:
    qr = api.post("/qr-tokens", headers=bearer(customer.access_token))
    assert qr.status_code == 201, qr.text
    visit = api.post(
        f"/merchants/{merchant_id}/visits",
        json={"token": qr.json()["token"]},
        headers=bearer(merchant.access_token),
    )
    assert visit.status_code == 201, visit.text
    return visit.json()["visit_id"]


def _business(api: httpx.Client, owner: Any) -> str:
    created = api.post(
        "/merchants",
        json={"name": "Café Rosa", "category": "cafe"},
        headers=bearer(owner.access_token),
    )
    assert created.status_code == 201, created.text
    return created.json()["merchant_id"]


def test_confirming_sign_up_creates_the_profile(cloud: RunningCloud, api: httpx.Client) -> None:
    user = signed_up_user(cloud.info, name="Ada Lovelace")
    me = api.get("/me", headers=bearer(user.access_token))
    assert me.status_code == 200, me.text
    assert me.json()["email"] == user.username
    assert me.json()["display_name"] == "Ada Lovelace"
    assert me.json()["user_id"] == user.access_claims["sub"]


def test_earn_and_redeem_through_the_gateway(cloud: RunningCloud, api: httpx.Client) -> None:
    owner = signed_up_user(cloud.info, name="Owner")
    customer = signed_up_user(cloud.info, name="Customer")
    merchant_id = _business(api, owner)
    visit_id = _open_visit(api, owner, merchant_id, customer)

    earned = api.post(
        f"/merchants/{merchant_id}/visits/{visit_id}/earn",
        json={"amount_cents": 2599},
        headers=_idempotent(owner.access_token),
    )
    assert earned.status_code == 201, earned.text
    assert earned.json()["balance"] == 25

    redeemed = api.post(
        f"/merchants/{merchant_id}/visits/{visit_id}/redeem",
        json={"points": 10},
        headers=_idempotent(owner.access_token),
    )
    assert redeemed.status_code == 201, redeemed.text
    assert redeemed.json()["balance"] == 15

    too_much = api.post(
        f"/merchants/{merchant_id}/visits/{visit_id}/redeem",
        json={"points": 16},
        headers=_idempotent(owner.access_token),
    )
    assert too_much.status_code == 409
    assert too_much.json()["error"]["code"] == "insufficient_points"

    wallet = api.get("/wallet", headers=bearer(customer.access_token)).json()["memberships"]
    assert [(m["merchant_id"], m["balance"]) for m in wallet] == [(merchant_id, 15)]


def test_a_restart_keeps_users_and_balances_and_reset_wipes_them(tmp_path: Path) -> None:
    first = start_cloud(tmp_path)
    try:
        owner = signed_up_user(first.info, name="Owner")
        customer = signed_up_user(first.info, name="Customer")
        with httpx.Client(base_url=first.api_url, timeout=30) as api:
            merchant_id = _business(api, owner)
            visit_id = _open_visit(api, owner, merchant_id, customer)
            earned = api.post(
                f"/merchants/{merchant_id}/visits/{visit_id}/earn",
                json={"amount_cents": 4200},
                headers=_idempotent(owner.access_token),
            )
            assert earned.status_code == 201, earned.text
    finally:
        assert first.stop() == 0

    second = start_cloud(tmp_path)
    try:
        assert (second.user_pool_id, second.client_id) == (first.user_pool_id, first.client_id)
        again = pycognito_user(second.info, customer.username)
        again.authenticate(password=PASSWORD)
        # A browser session from before the restart keeps working: its refresh token too.
        remembered = pycognito_user(second.info, customer.username)
        remembered.refresh_token = customer.refresh_token
        remembered.renew_access_token()
        assert remembered.access_claims["sub"] == customer.access_claims["sub"]
        with httpx.Client(base_url=second.api_url, timeout=30) as api:
            wallet = api.get("/wallet", headers=bearer(again.access_token))
            assert wallet.status_code == 200, wallet.text
            assert [(m["merchant_id"], m["balance"]) for m in wallet.json()["memberships"]] == [
                (merchant_id, 42)
            ]
            assert (
                api.get("/me", headers=bearer(again.access_token)).json()["display_name"]
                == "Customer"
            )
    finally:
        assert second.stop() == 0

    wiped = start_cloud(tmp_path, "--reset")
    try:
        with pytest.raises(ClientError):
            pycognito_user(wiped.info, customer.username).authenticate(password=PASSWORD)
    finally:
        wiped.stop()


def test_fifty_concurrent_redemptions_never_overdraw(
    cloud: RunningCloud, api: httpx.Client
) -> None:
    owner = signed_up_user(cloud.info, name="Owner")
    customer = signed_up_user(cloud.info, name="Customer")
    merchant_id = _business(api, owner)
    visit_id = _open_visit(api, owner, merchant_id, customer)
    earned = api.post(
        f"/merchants/{merchant_id}/visits/{visit_id}/earn",
        json={"amount_cents": 25_000},
        headers=_idempotent(owner.access_token),
    )
    assert earned.json()["balance"] == 250

    def redeem(_: int) -> int:
        with httpx.Client(base_url=cloud.api_url, timeout=60) as own:
            return own.post(
                f"/merchants/{merchant_id}/visits/{visit_id}/redeem",
                json={"points": 10},
                headers=_idempotent(owner.access_token),
            ).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(redeem, range(50)))

    assert statuses.count(201) == 25
    assert statuses.count(409) == 25
    wallet = api.get("/wallet", headers=bearer(customer.access_token)).json()["memberships"]
    assert wallet[0]["balance"] == 0
    ledger = api.get(
        "/transactions",
        params={"merchant_id": merchant_id, "limit": 100},
        headers=bearer(customer.access_token),
    ).json()["items"]
    assert sum(entry["points"] for entry in ledger) == 0
    assert len(ledger) == 26


def test_periodic_saves_survive_a_crash(tmp_path: Path) -> None:
    first = start_cloud(tmp_path, "--save-interval", "0.3")
    try:
        user = signed_up_user(first.info, name="Survivor")
        time.sleep(1.5)  # a few save periods
    finally:
        first.process.kill()  # no shutdown save: only the periodic snapshot remains
        first.process.wait(timeout=10)
    assert not list(tmp_path.glob(".state-*")), "a half-written temp file was left behind"

    second = start_cloud(tmp_path)
    try:
        again = pycognito_user(second.info, user.username)
        again.authenticate(password=PASSWORD)
        with httpx.Client(base_url=second.api_url, timeout=30) as api:
            assert (
                api.get("/me", headers=bearer(again.access_token)).json()["display_name"]
                == "Survivor"
            )
    finally:
        second.stop()

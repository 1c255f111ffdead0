"""Receipts' claim codes, adjustments, exports and points expiry through the local cloud's
gateway (real Cognito users and access tokens), with its clock moved past a code's 7 days and
past a card's expiry date (the scheduled job runs on that clock); then `python -m
ops.reconcile` on its table."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
import pytest

from loyalty import claim_codes
from tests.support.local_cloud import REPO
from tests.support.world import Business, Person, World

DAY = 86_400


# Its own cloud (tests/integration/conftest.py): the clock goes far ahead here, which must
# not age the shared cloud's codes and sign-ins.
@pytest.fixture(scope="module")
def api(own_api: httpx.Client) -> httpx.Client:
    return own_api


@pytest.fixture(scope="module")
def world(own_world: World) -> World:
    return own_world


@pytest.fixture(scope="module")
def shop(world: World) -> Business:
    shop = world.business(world.owner(), "Café Receipts")
    world.staff(shop)
    return shop


@pytest.fixture(scope="module")
def customer(world: World) -> Person:
    return world.customer("Rita Receipt")


def test_a_receipt_code_is_claimed_once_at_its_business(world, shop, customer):
    receipt = world.receipt_code(shop, 12_50)
    assert claim_codes.normalize(receipt["code"]) and receipt["status"] == "open"
    rival = world.business(world.owner("Rob Rival"), "Rival Receipts")
    elsewhere = world.claim(customer, receipt["code"], merchant_id=rival.merchant_id)
    assert (elsewhere.status, elsewhere.code) == (404, "not_found")
    insider = world.claim(shop.till, receipt["code"])
    assert (insider.status, insider.code) == (403, "own_claim")
    body = world.claim(customer, receipt["code"].lower().replace("-", " ")).expect(201)
    assert body["transaction"]["claim_id"] == receipt["claim_id"]
    assert body["transaction"]["staff_id"] == shop.till.user_id
    assert world.balance(customer, shop) == 12
    again = world.claim(world.customer("Fred Friend"), receipt["code"])
    assert (again.status, again.code) == (409, "claim_code_used")


def test_a_code_expires_after_seven_days(world, api, shop, customer):
    receipt = world.receipt_code(shop, 5_00)
    api.post("/dev/clock", json={"advance_s": 7 * DAY + 60}).raise_for_status()
    try:
        reply = world.claim(customer, receipt["code"])
        assert (reply.status, reply.code) == (410, "claim_code_expired")
    finally:
        api.post("/dev/clock", json={"reset": True}).raise_for_status()
    listed = world.call("GET", f"{shop.path}/claim-codes", shop.till).expect(200)["items"]
    assert next(c for c in listed if c["claim_id"] == receipt["claim_id"])["status"] == "open"


def test_guessing_is_refused_with_retry_after_through_the_gateway(world, shop):
    guesser = world.customer("Gus Guesser")
    for n in range(10):
        assert world.claim(guesser, claim_codes.grouped(claim_codes.from_bits(n))).status == 404
    locked = world.claim(guesser, world.receipt_code(shop, 1_00)["code"])
    assert (locked.status, locked.code) == (429, "too_many_requests")
    assert int(locked.headers["retry-after"]) > 0


def test_the_owner_adjusts_and_staff_cannot(world, shop, customer):
    before = world.balance(customer, shop)
    refused = world.adjust(shop, customer, 100, by=shop.till)
    assert (refused.status, refused.code) == (403, "owner_only")
    added = world.adjust(shop, customer, 3, note="Sorry for the wait").expect(201)
    assert added["transaction"]["note"] == "Sorry for the wait"
    assert world.balance(customer, shop) == before + 3


def test_the_ledger_export_comes_a_page_at_a_time(world, shop, customer):
    for _ in range(3):
        world.earn(world.visit(shop, customer), 2_00).expect(201)
    day = world.call("GET", "/transactions", customer).expect(200)["items"][0]["created_at"][:10]
    rows: list[dict[str, Any]] = []
    cursor, pages = None, 0
    while True:
        query = {"from": day, "to": day, "limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = world.call("GET", f"{shop.path}/exports/ledger", shop.owner, query=query).expect(200)
        rows += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages >= 3 and len(rows) >= 5
    assert {r["kind"] for r in rows} >= {"earn", "adjustment"}
    refused = world.call(
        "GET", f"{shop.path}/exports/ledger", shop.till, query={"from": day, "to": day}
    )
    assert refused.code == "owner_only"


def test_moving_the_clock_runs_the_hourly_expiry_job(world, api):
    """ExpiryFunction's `rate(1 hour)` schedule runs on the local cloud's clock
    (localcloud/schedules.py): past a card's date, the points are gone, in one entry."""
    shop = world.business(world.owner("Edda Expiry"), "Café Expiry")
    world.expiry_policy(shop, 3)
    saver = world.customer("Sam Saver")
    world.earn(world.visit(shop, saver), 7_00).expect(201)
    api.post("/dev/clock", json={"advance_s": 40 * DAY}).raise_for_status()
    try:
        assert world.balance(saver, shop) == 7  # the date is still ahead
        api.post("/dev/clock", json={"advance_s": 60 * DAY}).raise_for_status()
        assert world.balance(saver, shop) == 0
        query = {"merchant_id": shop.merchant_id}
        (entry, _) = world.call("GET", "/transactions", saver, query=query).expect(200)["items"]
        assert (entry["kind"], entry["points"], entry["staff_id"]) == ("expiry", -7, None)
    finally:
        api.post("/dev/clock", json={"reset": True}).raise_for_status()


def test_the_ledger_reconciles(own_cloud):
    done = subprocess.run(
        [sys.executable, "-m", "ops.reconcile", "--local-cloud", own_cloud.api_url],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reconcile_discrepancies: 0" in done.stdout
    assert "claims_checked: 1" in done.stdout and "adjustments_checked: 1" in done.stdout
    assert "expiries_checked: 1" in done.stdout

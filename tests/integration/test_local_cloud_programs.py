"""Stamp cards, promotions and tier benefits through the local cloud's gateway, with its
clock moved (`POST /dev/clock`) to the edges of a promotion's window in the business's time
zone, on both sides of a change to summer time; then `python -m ops.reconcile` on its table."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.local_cloud import REPO, RunningCloud
from tests.support.world import Business, Person, World

BERLIN = ZoneInfo("Europe/Berlin")


# Its own cloud (tests/integration/conftest.py): the clock goes far ahead here, which must
# not age the shared cloud's codes and sign-ins.
@pytest.fixture(scope="module")
def api(own_api: httpx.Client) -> httpx.Client:
    return own_api


@pytest.fixture(scope="module")
def world(own_world: World) -> World:
    return own_world


@pytest.fixture(scope="module")
def cafe(world: World) -> Business:
    """A café in Berlin: a 3-stamp card, double points on Tuesdays 16:00-18:00, a welcome
    bonus, and a Gold-only reward."""
    cafe = world.business(world.owner(), "Café Berlin", time_zone="Europe/Berlin")
    world.stamp_card(cafe, stamps_needed=3, reward_name="Free cake")
    world.promotion(cafe, "Double Tuesdays", weekdays=[2], from_time="16:00", until_time="18:00")
    world.promotion(cafe, "Welcome", kind="welcome", bonus_points=50)
    world.call(
        "POST",
        f"{cafe.path}/rewards",
        cafe.owner,
        body={"name": "Gold cake", "cost_points": 5, "min_tier": "Gold"},
    ).expect(201)
    return cafe


def at_berlin(api: httpx.Client, local: str) -> None:
    """Moves the cloud's clock to a wall-clock minute in Berlin (5 s into it)."""
    target = datetime.fromisoformat(local).replace(tzinfo=BERLIN).timestamp() + 5
    api.post("/dev/clock", json={"reset": True}).raise_for_status()
    api.post("/dev/clock", json={"advance_s": target - time.time()}).raise_for_status()


@pytest.mark.parametrize(
    ("local", "applies"),
    [
        ("2027-03-23 15:59", False),  # winter (CET)
        ("2027-03-23 16:00", True),  # the window's first minute
        ("2027-03-23 17:59", True),  # its last minute
        ("2027-03-23 18:00", False),
        ("2027-03-30 15:59", False),  # after the change to summer time (CEST)
        ("2027-03-30 16:00", True),
        ("2027-03-30 17:59", True),
        ("2027-03-30 18:00", False),
    ],
)
def test_the_window_s_first_and_last_minute_on_the_business_s_clock(
    world: World, api: httpx.Client, cafe: Business, local: str, applies: bool
) -> None:
    customer = world.customer()
    world.earn(world.visit(cafe, customer), 1_00).expect(201)  # the welcome visit, first
    at_berlin(api, local)
    tx = world.earn(world.visit(cafe, customer), 12_00).expect(201)["transaction"]
    assert (tx["points"], tx["promotion_name"]) == (
        (24, "Double Tuesdays") if applies else (12, None)
    )


def test_a_customer_collects_stamps_and_the_welcome_bonus_once(
    world: World, api: httpx.Client, cafe: Business
) -> None:
    api.post("/dev/clock", json={"reset": True}).raise_for_status()
    customer = world.customer()
    first = world.earn(world.visit(cafe, customer), 10_00).expect(201)
    assert (first["transaction"]["points"], first["transaction"]["promotion_name"]) == (
        60,
        "Welcome",
    )
    assert first["stamps"] == 1
    second = world.earn(world.visit(cafe, customer), 10_00).expect(201)  # N-1
    assert (second["transaction"]["points"], second["stamps"]) == (10, 2)
    not_yet = world.redeem(world.visit(cafe, customer), stamp_card=True)
    assert (not_yet.status, not_yet.code) == (409, "stamp_card_not_full")
    assert world.earn(world.visit(cafe, customer), 10_00).expect(201)["stamps"] == 3  # N
    assert world.earn(world.visit(cafe, customer), 10_00).expect(201)["stamps"] == 4  # N+1
    token = world.token(customer)
    visit = world.visit(cafe, code=token["token"])
    given = world.redeem(visit, stamp_card=True).expect(201)
    assert (given["transaction"]["kind"], given["stamps"]) == ("stamp_redeem", 1)
    seen = world.call("GET", f"/qr-tokens/{token['token_id']}", customer).expect(200)
    assert [(a["kind"], a["stamps"], a["stamps_after"]) for a in seen["activity"]] == [
        ("stamp_redeem", -3, 1)
    ]
    card = _membership(world, customer, cafe)
    assert (card["stamps"], card["stamp_card"]["reward_name"]) == (1, "Free cake")
    assert card["locked_rewards"][0]["locked_reason"].startswith("Gold members only")
    gold = world.redeem(visit, reward_id=card["locked_rewards"][0]["reward_id"])
    assert (gold.status, gold.code) == (409, "tier_required")


def test_the_figures_count_points_per_promotion(
    world: World, api: httpx.Client, cafe: Business
) -> None:
    api.post("/dev/clock", json={"reset": True}).raise_for_status()
    figures = world.call("GET", f"{cafe.path}/stats", cafe.owner, query={"days": 7}).expect(200)
    welcome = next(p for p in figures["promotions"] if p["name"] == "Welcome")
    assert welcome["points_issued"] == 50 * welcome["purchases"] > 0
    assert figures["stamps_issued"] > 0 and figures["stamp_cards_redeemed"] >= 1


def test_the_reconciliation_checks_the_new_kinds(own_cloud: RunningCloud, cafe: Business) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ops.reconcile", "--local-cloud", own_cloud.api_url],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reconcile_discrepancies: 0" in done.stdout
    assert "stamp_redemptions_checked: 1" in done.stdout


def _membership(world: World, customer: Person, cafe: Business) -> dict:
    wallet = world.call("GET", "/wallet", customer).expect(200)["memberships"]
    return next(m for m in wallet if m["merchant_id"] == cafe.merchant_id)

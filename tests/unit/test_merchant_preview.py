"""The till's preview: what it shows before Award is what the API then awards, to the point."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend import clock
from epoint_ui.states.merchant_scan import ScanState
from loyalty import earning
from loyalty.money import format_cents, parse_cents
from tests.support.world import call


def till_for(visit: dict, rule: dict) -> ScanState:
    """A till with this visit open, as MerchantState would hand it the business's rule."""
    state = ScanState(_reflex_internal_init=True)
    state._start_visit(visit, rule, "EUR")
    return state


@pytest.mark.parametrize("amount_cents", [99, 100, 1250, 1299, 99_999, 10_000_000])
@pytest.mark.parametrize(("points_per_unit", "multiplier_pct"), [(1, 100), (3, 150), (7, 333)])
def test_the_till_previews_what_the_api_awards(
    world, shop, customer, amount_cents, points_per_unit, multiplier_pct
):
    rule = {"points_per_unit": points_per_unit, "min_purchase_cents": 0}
    tiers = [{"name": "Member", "threshold": 0, "multiplier_pct": multiplier_pct}]
    body = {"earning_rule": rule, "tiers": tiers}
    assert call("PATCH", shop.path, user=shop.owner, body=body).status == 200
    visit = world.visit(shop, customer)
    till = till_for(visit.answer, rule)
    till.amount = format_cents(amount_cents)
    awarded = world.earn(visit, amount_cents).body["transaction"]["points"]
    assert till.preview == f"{format_cents(amount_cents)} EUR earns {awarded} points at Member."


def test_under_the_minimum_the_till_says_no_points_and_the_api_refuses(world, shop, customer):
    rule = {"points_per_unit": 2, "min_purchase_cents": 5_00}
    body = {"earning_rule": rule}
    assert call("PATCH", shop.path, user=shop.owner, body=body).status == 200
    visit = world.visit(shop, customer)
    till = till_for(visit.answer, rule)
    till.amount = "4.99"
    assert till.preview == "Purchases under 5.00 EUR earn no points."
    assert world.earn(visit, 4_99).code == "below_minimum_purchase"
    till.amount = "100000.01"  # over the most one purchase may be: the till says so first
    assert "at most 100000.00" in till.preview
    assert world.earn(visit, 10_000_001).code == "validation_error"


def test_silver_example_from_the_issue():
    # "a 12.50 purchase earns N points at Silver" with the default Silver (x1.25).
    assert (
        earning.points_for_purchase(parse_cents("12.50"), earning.DEFAULT_EARNING_RULE, 125) == 15
    )


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("12.50", 1250),
        ("12,5", 1250),
        ("12", 1200),
        (" 0.05 ", 5),
        ("12.", None),
        ("", None),
        ("1e3", None),
        ("-3", None),
        ("1.234", None),
    ],
)
def test_typed_amounts(typed, cents):
    assert parse_cents(typed) == cents


def test_format_cents_round_trips():
    assert format_cents(1250) == "12.50"
    assert parse_cents(format_cents(7)) == 7


def test_the_till_previews_the_promotion_and_the_stamp_the_api_gives(world, shop, customer):
    """At the API's time (its clock moved to a Tuesday, the till's not), with a welcome
    bonus, a Tuesday promotion and a stamp card: the preview names what the award brings."""
    rule = {"points_per_unit": 1, "min_purchase_cents": 0}
    world.stamp_card(shop, stamps_needed=10)
    world.promotion(shop, "Double Tuesdays", weekdays=[2], from_time="16:00", until_time="18:00")
    world.promotion(shop, "Welcome", kind="welcome", bonus_points=50)
    clock.advance(datetime(2027, 3, 23, 16, 30, tzinfo=UTC).timestamp() - clock.now())
    first = world.visit(shop, customer)
    till = till_for(first.answer, rule)
    till.amount = "12.50"
    assert (
        till.preview
        == "12.50 EUR earns 62 points at Bronze with Welcome (+50) and +1 stamp (1/10)."
    )
    assert world.earn(first, 12_50).body["transaction"]["points"] == 62
    second = world.visit(shop, customer)
    till = till_for(second.answer, rule)
    till.amount = "80.00"
    assert till.preview == (
        "80.00 EUR earns 160 points at Bronze with Double Tuesdays (+80) and +1 stamp (2/10)."
    )
    tx = world.earn(second, 80_00).body["transaction"]
    assert (tx["points"], tx["promotion_name"], tx["stamps_after"]) == (160, "Double Tuesdays", 2)
    clock.advance(2 * 3600)  # 18:30: the window has closed
    third = world.visit(shop, customer)
    till = till_for(third.answer, rule)
    till.amount = "80.00"
    assert till.preview == "80.00 EUR earns 80 points at Bronze and +1 stamp (3/10)."
    assert world.earn(third, 80_00).body["transaction"]["points"] == 80


def test_a_card_that_replaces_points_previews_the_stamp_only(world, shop, customer):
    rule = {"points_per_unit": 1, "min_purchase_cents": 0}
    world.stamp_card(shop, stamps_needed=5, min_purchase_cents=3_00, replaces_points=True)
    till = till_for(world.visit(shop, customer).answer, rule)
    till.amount = "4.00"
    assert till.preview == "4.00 EUR earns +1 stamp (1/5)."
    till.amount = "2.99"
    assert till.preview == "Purchases under 3.00 EUR earn nothing."

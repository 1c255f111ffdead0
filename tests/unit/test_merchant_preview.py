"""The till's preview: what it shows before Award is what the API then awards, to the point."""

from __future__ import annotations

import pytest

from epoint_ui.formatting import money
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
    assert till.preview == f"{money(amount_cents, 'EUR')} earns {awarded} points at Member."


def test_under_the_minimum_the_till_says_no_points_and_the_api_refuses(world, shop, customer):
    rule = {"points_per_unit": 2, "min_purchase_cents": 5_00}
    body = {"earning_rule": rule}
    assert call("PATCH", shop.path, user=shop.owner, body=body).status == 200
    visit = world.visit(shop, customer)
    till = till_for(visit.answer, rule)
    till.amount = "4.99"
    assert till.preview == "Purchases under €5.00 earn no points."
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

"""The merchant's points preview: it must match what the API awards, to the point."""

import pytest

from backend.logic.rules import points_for_purchase as api_points
from epoint_ui.states.merchant_earning import format_cents, parse_cents, points_for_purchase


@pytest.mark.parametrize("amount_cents", [0, 99, 100, 1250, 1299, 99_999, 10_000_000])
@pytest.mark.parametrize("points_per_unit", [1, 3, 10])
@pytest.mark.parametrize("multiplier_pct", [100, 125, 150, 333])
def test_preview_matches_the_api(amount_cents, points_per_unit, multiplier_pct):
    rule = {"points_per_unit": points_per_unit, "min_purchase_cents": 0}
    assert points_for_purchase(amount_cents, points_per_unit, multiplier_pct) == api_points(
        amount_cents, rule, multiplier_pct
    )


def test_silver_example_from_the_issue():
    # "a 12.50 purchase earns N points at Silver" with the default Silver (x1.25).
    assert points_for_purchase(parse_cents("12.50"), 1, 125) == 15


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

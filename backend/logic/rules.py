"""The earning rule: points per whole currency unit of a purchase, times the tier multiplier."""

from __future__ import annotations

from typing import Any

from backend.logic.errors import BelowMinimumPurchase

DEFAULT_EARNING_RULE: dict[str, int] = {"points_per_unit": 1, "min_purchase_cents": 0}


def points_for_purchase(amount_cents: int, rule: dict[str, Any], multiplier_pct: int) -> int:
    """floor(floor(amount/100) * points_per_unit * multiplier_pct / 100), integers only."""
    if amount_cents < int(rule.get("min_purchase_cents", 0)):
        raise BelowMinimumPurchase()
    whole_units = amount_cents // 100
    return whole_units * int(rule["points_per_unit"]) * int(multiplier_pct) // 100

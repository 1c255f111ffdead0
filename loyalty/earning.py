"""The earning rule: points per whole currency unit of a purchase, times the tier multiplier.

The API awards exactly this, and the till and the settings page preview it with the same
function, so what a merchant sees before tapping Award is what the customer gets.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_EARNING_RULE: dict[str, int] = {"points_per_unit": 1, "min_purchase_cents": 0}


class BelowMinimum(ValueError):
    """The purchase is under the business's minimum: it earns nothing (the API refuses it)."""


def points_for_purchase(amount_cents: int, rule: Mapping[str, int], multiplier_pct: int) -> int:
    """floor(floor(amount/100) * points_per_unit * multiplier_pct / 100), integers only.

    Raises BelowMinimum for a purchase under the rule's `min_purchase_cents`.
    """
    if amount_cents < int(rule.get("min_purchase_cents", 0)):
        raise BelowMinimum(amount_cents)
    whole_units = amount_cents // 100
    return whole_units * int(rule["points_per_unit"]) * int(multiplier_pct) // 100

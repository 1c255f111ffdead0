"""What a purchase earns: points by the earning rule and the customer's tier, the best
promotion in force, and a stamp on the business's stamp card.

The API awards exactly this, and the till and the settings page preview it with the same
functions, so what a merchant sees before tapping Award is what the customer gets.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from loyalty import promotions, stamps
from loyalty.catalog import DEFAULT_TIME_ZONE

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


@dataclasses.dataclass(frozen=True)
class Earned:
    """What one purchase earns."""

    points: int  # all of them: the rule's and the promotion's
    promotion: Mapping[str, Any] | None  # the promotion that applied, if any
    promotion_points: int  # what it added
    stamps: int  # 0 or 1

    @property
    def base_points(self) -> int:
        """The points the earning rule and the tier give alone."""
        return self.points - self.promotion_points


def for_purchase(
    amount_cents: int,
    rule: Mapping[str, int],
    multiplier_pct: int,
    *,
    at_s: float,
    time_zone: str = DEFAULT_TIME_ZONE,
    offers: Iterable[Mapping[str, Any]] = (),
    stamp_card: Mapping[str, Any] | None = None,
    first_visit: bool = False,
) -> Earned:
    """Points (rule x tier, then the best promotion in force at `at_s` on the business's
    clock) and a stamp, for a purchase of `amount_cents` by a customer whose tier multiplier
    is `multiplier_pct`. `first_visit`: the customer has no membership at the business yet.

    A purchase under the points minimum earns no points (and no promotion), but still a
    stamp if it reaches the card's minimum; with neither it raises BelowMinimum. A business
    whose stamp card replaces points gives stamps only.
    """
    stamp = 1 if stamps.qualifies(amount_cents, stamp_card) else 0
    if stamps.running(stamp_card) and stamp_card.get("replaces_points"):  # type: ignore[union-attr]
        if not stamp:
            raise BelowMinimum(amount_cents)
        return Earned(0, None, 0, stamp)
    try:
        base = points_for_purchase(amount_cents, rule, multiplier_pct)
    except BelowMinimum:
        if not stamp:
            raise
        return Earned(0, None, 0, stamp)
    local = promotions.local_time(at_s, time_zone)
    applied, extra = promotions.best(offers, base, local, first_visit)
    return Earned(base + extra, applied, extra, stamp)

"""What a staff member may award without the owner: the owner's two limits per business.

A staff member (not the owner) may award points for a purchase of at most
`max_purchase_cents`, and at most `daily_points` points per day (UTC) at that business;
a larger purchase, or more points, needs the owner. The API refuses past either limit
(`needs_owner`, `staff_daily_cap`); the settings page edits them within `loyalty.bounds`.
"""

from __future__ import annotations

from collections.abc import Mapping

# 500.00 in the business's currency, and 10,000 points a day: room for any honest shift
# at a small shop, far below the 100,000.00 a single purchase may be.
DEFAULTS: dict[str, int] = {"max_purchase_cents": 50_000, "daily_points": 10_000}


def of(stored: Mapping[str, int] | None) -> dict[str, int]:
    """A business's limits: what the owner set, the defaults for what they did not."""
    return {key: int((stored or {}).get(key, default)) for key, default in DEFAULTS.items()}


def may_award(amount_cents: int, limits: Mapping[str, int]) -> bool:
    """Whether a staff member may award points for this purchase without the owner."""
    return amount_cents <= int(limits["max_purchase_cents"])

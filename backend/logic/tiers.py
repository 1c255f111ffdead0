"""Tiers: a business's levels, reached by lifetime points *earned* there (not the balance)."""

from __future__ import annotations

from typing import Any

DEFAULT_TIERS: list[dict[str, Any]] = [
    {"name": "Bronze", "threshold": 0, "multiplier_pct": 100},
    {"name": "Silver", "threshold": 500, "multiplier_pct": 125},
    {"name": "Gold", "threshold": 2000, "multiplier_pct": 150},
]


def tier_for(lifetime_points: int, tiers: list[dict[str, Any]]) -> dict[str, Any]:
    """The highest tier whose threshold the lifetime points reach (the first tier otherwise)."""
    ordered = sorted(tiers, key=lambda t: int(t["threshold"]))
    current = ordered[0]
    for tier in ordered:
        if lifetime_points >= int(tier["threshold"]):
            current = tier
    return {
        "name": current["name"],
        "threshold": int(current["threshold"]),
        "multiplier_pct": int(current["multiplier_pct"]),
    }


def next_tier(lifetime_points: int, tiers: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The next tier up and how many points it still needs; None at the top."""
    for tier in sorted(tiers, key=lambda t: int(t["threshold"])):
        if int(tier["threshold"]) > lifetime_points:
            return {
                "name": tier["name"],
                "threshold": int(tier["threshold"]),
                "points_needed": int(tier["threshold"]) - lifetime_points,
            }
    return None

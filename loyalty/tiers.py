"""Tiers: a business's levels, reached by lifetime points *earned* there (not the balance)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from loyalty.bounds import TIER_COUNT

DEFAULT_TIERS: list[dict[str, Any]] = [
    {"name": "Bronze", "threshold": 0, "multiplier_pct": 100},
    {"name": "Silver", "threshold": 500, "multiplier_pct": 125},
    {"name": "Gold", "threshold": 2000, "multiplier_pct": 150},
]

Tier = Mapping[str, Any]


def problem(thresholds: Sequence[int]) -> str | None:
    """What is wrong with tiers of these thresholds (in their order), as a sentence; None if nothing.

    Every customer has a tier, so the first starts at 0 points; each further tier needs
    more points than the one before, so the order of the list is the order of the tiers.
    """
    if not TIER_COUNT.holds(len(thresholds)):
        return f"A business has {TIER_COUNT.low} to {TIER_COUNT.high} tiers."
    if thresholds[0] != 0:
        return "The first tier must start at 0 points, so every customer has a tier."
    if any(b <= a for a, b in itertools.pairwise(thresholds)):
        return "Each tier must need more points than the one before it."
    return None


def tier_for(lifetime_points: int, tiers: Sequence[Tier]) -> dict[str, Any]:
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


def next_tier(lifetime_points: int, tiers: Sequence[Tier]) -> dict[str, Any] | None:
    """The next tier up and how many points it still needs; None at the top."""
    for tier in sorted(tiers, key=lambda t: int(t["threshold"])):
        if int(tier["threshold"]) > lifetime_points:
            return {
                "name": tier["name"],
                "threshold": int(tier["threshold"]),
                "points_needed": int(tier["threshold"]) - lifetime_points,
            }
    return None


def progress_pct(lifetime_points: int, tier: Tier, upcoming: Tier | None) -> int:
    """How far from `tier` towards `upcoming` the lifetime points are, 0-100 (100 at the top)."""
    if not upcoming:
        return 100
    start = int(tier.get("threshold") or 0)
    span = max(1, int(upcoming.get("threshold") or 0) - start)
    return max(0, min(100, (lifetime_points - start) * 100 // span))


def reaches(lifetime_points: int, tier_name: str | None, tiers: Sequence[Tier]) -> bool:
    """Whether the lifetime points reach the tier named `tier_name` (None: no tier needed).

    A tier the business no longer has is reached by nobody: a reward gated on it stays
    locked until the owner changes the reward.
    """
    if not tier_name:
        return True
    needed = next((t for t in tiers if t["name"] == tier_name), None)
    return needed is not None and lifetime_points >= int(needed["threshold"])


def lock_reason(lifetime_points: int, tier_name: str | None, tiers: Sequence[Tier]) -> str | None:
    """Why a reward for `tier_name` members is locked for these lifetime points, as the wallet
    and the till say it; None when it is not locked."""
    if reaches(lifetime_points, tier_name, tiers):
        return None
    needed = next((t for t in tiers if t["name"] == tier_name), None)
    if needed is None:
        return f"{tier_name} members only"
    to_go = int(needed["threshold"]) - lifetime_points
    return f"{tier_name} members only: {to_go:,} more point{'' if to_go == 1 else 's'} to go"

"""Rewards: what a business offers for points; retired rewards stay for the history.

A reward may be for one tier and up (`min_tier`, "Gold members only"): it is locked for
customers below it, with the reason `loyalty.tiers.lock_reason` gives (the app's till
says the same), and redeeming it is refused with `tier_required`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from loyalty import tiers


def public_reward(item: dict[str, Any]) -> dict[str, Any]:
    """The API shape of a reward item."""
    return {
        "reward_id": item["reward_id"],
        "name": item["name"],
        "description": item.get("description", ""),
        "cost_points": int(item["cost_points"]),
        "min_tier": item.get("min_tier"),
        "active": bool(item.get("active", True)),
        "created_at": item["created_at"],
    }


def active_rewards(rewards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Active rewards, cheapest first."""
    active = [public_reward(r) for r in rewards if r.get("active", True)]
    return sorted(active, key=lambda r: (r["cost_points"], r["name"]))


def affordable(
    rewards: list[dict[str, Any]], balance: int, lifetime: int, tier_list: Sequence[Any]
) -> list[dict[str, Any]]:
    """Active rewards a balance covers and the customer's tier opens, cheapest first."""
    return [
        r
        for r in active_rewards(rewards)
        if r["cost_points"] <= balance and tiers.reaches(lifetime, r["min_tier"], tier_list)
    ]


def locked(
    rewards: list[dict[str, Any]], lifetime: int, tier_list: Sequence[Any]
) -> list[dict[str, Any]]:
    """Active rewards the customer's tier does not open yet, each with `locked_reason`."""
    out = []
    for reward in active_rewards(rewards):
        reason = tiers.lock_reason(lifetime, reward["min_tier"], tier_list)
        if reason:
            out.append({**reward, "locked_reason": reason})
    return out

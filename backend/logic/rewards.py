"""Rewards: what a business offers for points; retired rewards stay for the history."""

from __future__ import annotations

from typing import Any


def public_reward(item: dict[str, Any]) -> dict[str, Any]:
    """The API shape of a reward item."""
    return {
        "reward_id": item["reward_id"],
        "name": item["name"],
        "description": item.get("description", ""),
        "cost_points": int(item["cost_points"]),
        "active": bool(item.get("active", True)),
        "created_at": item["created_at"],
    }


def active_rewards(rewards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Active rewards, cheapest first."""
    active = [public_reward(r) for r in rewards if r.get("active", True)]
    return sorted(active, key=lambda r: (r["cost_points"], r["name"]))


def affordable(rewards: list[dict[str, Any]], balance: int) -> list[dict[str, Any]]:
    """Active rewards a balance covers, cheapest first."""
    return [r for r in active_rewards(rewards) if r["cost_points"] <= balance]

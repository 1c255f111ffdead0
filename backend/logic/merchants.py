"""Businesses: registration, settings, rewards, and the business's ledger. (Staff:
`logic/staff.py`.)"""

from __future__ import annotations

from typing import Any

from backend import clock
from backend.dal import ledger as store
from backend.dal import merchants as merchant_store
from backend.dal import staff as staff_store
from backend.dal import users
from backend.logic import access, errors, ids, pages, promotions, rewards
from backend.logic.ledger import public_entry
from loyalty import bounds, catalog, earning, staff_limits, tiers

# ------------------------------------------------------------------ businesses


def public_merchant(profile: dict[str, Any], reward_items: list[dict[str, Any]]) -> dict[str, Any]:
    """The API shape of a business, with its active rewards."""
    return {
        "merchant_id": profile["merchant_id"],
        "name": profile["name"],
        "category": profile["category"],
        "currency": profile.get("currency", catalog.DEFAULT_CURRENCY),
        "earning_rule": profile["earning_rule"],
        "tiers": profile["tiers"],
        "staff_limits": staff_limits.of(profile.get("staff_limits")),
        "time_zone": promotions.time_zone_of(profile),
        "stamp_card": public_stamp_card(profile.get("stamp_card")),
        "promotions": promotions.current(profile),
        "owner_id": profile["owner_id"],
        "created_at": profile["created_at"],
        "expiry_months": int(profile.get("expiry_months") or 0),
        "rewards": rewards.active_rewards(reward_items),
    }


def public_stamp_card(card: dict[str, Any] | None) -> dict[str, Any] | None:
    """The API shape of a business's stamp card (None: it never had one)."""
    if not card:
        return None
    return {
        "active": bool(card.get("active", True)),
        "stamps_needed": int(card["stamps_needed"]),
        "reward_name": card["reward_name"],
        "min_purchase_cents": int(card.get("min_purchase_cents") or 0),
        "replaces_points": bool(card.get("replaces_points", False)),
    }


def create_merchant(owner_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Register a business; the caller becomes its owner."""
    owner = users.get_profile(owner_id) or {"user_id": owner_id}
    profile = {
        "merchant_id": ids.new_id("m"),
        "name": fields["name"],
        "name_lower": fields["name"].lower(),
        "category": fields["category"],
        "currency": fields.get("currency") or catalog.DEFAULT_CURRENCY,
        "earning_rule": fields.get("earning_rule") or dict(earning.DEFAULT_EARNING_RULE),
        "tiers": fields.get("tiers") or [dict(t) for t in tiers.DEFAULT_TIERS],
        "staff_limits": staff_limits.of(fields.get("staff_limits")),
        "time_zone": fields.get("time_zone") or catalog.DEFAULT_TIME_ZONE,
        "promotions": [],
        "owner_id": owner_id,
        "created_at": clock.iso(),
    }
    if fields.get("stamp_card"):
        profile["stamp_card"] = fields["stamp_card"]
    try:
        merchant_store.create(
            profile, {**owner, "user_id": owner_id}, bounds.BUSINESSES_PER_ACCOUNT
        )
    except staff_store.Refused as refused:
        raise errors.TooManyBusinesses() from refused
    return public_merchant(profile, [])


def get_merchant(merchant_id: str) -> dict[str, Any]:
    """One business with its active rewards (404 if unknown)."""
    loaded = merchant_store.load(merchant_id)
    if loaded is None:
        raise errors.NotFound()
    return public_merchant(*loaded)


def update_merchant(user_id: str, merchant_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Owner changes name, category, earning rule, tiers, time zone or stamp card."""
    access.require_owner(merchant_id, user_id)
    months = changes.pop("expiry_months", None)
    current = merchant_store.get_profile(merchant_id, consistent=True) or {}
    if months is not None and months != int(current.get("expiry_months") or 0):
        # A new or changed policy counts from now: nothing expires under it for
        # loyalty.expiry.NOTICE_DAYS, so every wallet shows it first.
        merchant_store.set_expiry_policy(merchant_id, months, clock.now_s())
    if changes:
        merchant_store.update_settings(merchant_id, changes)
    loaded = merchant_store.load(merchant_id, fresh=True)
    if loaded is None:
        raise errors.NotFound()
    return public_merchant(*loaded)


def directory(
    category: str | None, q: str | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    """The business directory by name."""

    def listed(item: dict[str, Any]) -> dict[str, Any] | None:
        loaded = merchant_store.load(item["merchant_id"])
        return public_merchant(*loaded) if loaded else None

    return pages.page(lambda: merchant_store.directory(category, q, limit, cursor), listed)


# ------------------------------------------------------------------ rewards


def list_rewards(user_id: str, merchant_id: str, include_retired: bool) -> dict[str, Any]:
    """Staff see the rewards (retired too, when asked)."""
    access.require_staff(merchant_id, user_id)
    items = [rewards.public_reward(r) for r in merchant_store.list_rewards(merchant_id)]
    if not include_retired:
        items = [r for r in items if r["active"]]
    return {"rewards": sorted(items, key=lambda r: (not r["active"], r["cost_points"], r["name"]))}


def _check_min_tier(merchant_id: str, min_tier: str | None) -> None:
    """A reward can be for one of the business's tiers and up, and for no other."""
    if min_tier is None:
        return
    profile = merchant_store.get_profile(merchant_id, consistent=True) or {}
    names = [t["name"] for t in profile.get("tiers") or []]
    if min_tier not in names:
        raise errors.ValidationFailed(
            f"min_tier: must be one of this business's tiers: {', '.join(names)}."
        )


def create_reward(user_id: str, merchant_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Owner adds a reward (for every customer, or for one tier and up)."""
    access.require_owner(merchant_id, user_id)
    _check_min_tier(merchant_id, fields.get("min_tier"))
    reward = {
        "reward_id": ids.new_id("r"),
        "name": fields["name"],
        "description": fields.get("description") or "",
        "cost_points": fields["cost_points"],
        "active": True,
        "created_at": clock.iso(),
    }
    if fields.get("min_tier"):
        reward["min_tier"] = fields["min_tier"]
    merchant_store.put_reward(merchant_id, reward)
    return rewards.public_reward(reward)


def update_reward(
    user_id: str, merchant_id: str, reward_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Owner edits or retires/reactivates a reward (404 for another business's reward);
    `min_tier: None` opens it to every tier."""
    access.require_owner(merchant_id, user_id)
    _check_min_tier(merchant_id, changes.get("min_tier"))
    if not changes:
        item = merchant_store.get_reward(merchant_id, reward_id)
    else:
        item = merchant_store.update_reward(merchant_id, reward_id, changes)
    if item is None:
        raise errors.NotFound()
    return rewards.public_reward(item)


# ------------------------------------------------------------------ the business's ledger


def transactions(
    user_id: str,
    merchant_id: str,
    kind: str | None,
    customer_id: str | None,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    """The business's ledger, newest first (staff only)."""
    access.require_staff(merchant_id, user_id)
    return pages.page(
        lambda: store.merchant_entries(merchant_id, kind, customer_id, limit, cursor),
        public_entry,
    )

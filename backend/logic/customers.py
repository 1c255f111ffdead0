"""What a signed-in customer sees: their profile, wallet and history (theirs only)."""

from __future__ import annotations

from typing import Any

from backend import clock
from backend.dal import ledger as store
from backend.dal import merchants as merchant_store
from backend.dal import users
from backend.logic import errors, expiry, merchants, pages, promotions, rewards
from backend.logic.ledger import public_entry
from loyalty import tiers


def public_profile(item: dict[str, Any]) -> dict[str, Any]:
    """The API shape of a profile."""
    return {k: item.get(k) for k in ("user_id", "email", "display_name", "created_at")}


def me(user_id: str) -> dict[str, Any]:
    """The caller's profile."""
    item = users.get_profile(user_id)
    if item is None:
        raise errors.NotFound("No profile yet: finish signing up first.")
    return public_profile(item)


def rename(user_id: str, display_name: str) -> dict[str, Any]:
    """Change the caller's display name."""
    item = users.update_display_name(user_id, display_name)
    if item is None:
        raise errors.NotFound("No profile yet: finish signing up first.")
    return public_profile(item)


def wallet(user_id: str) -> dict[str, Any]:
    """One membership per business, newest activity first."""
    out = []
    for member in store.memberships(user_id):
        if member.get("closed_at"):
            continue  # the account is being deleted: nothing left to show
        loaded = merchant_store.load(member["merchant_id"])
        if loaded is None:
            continue
        profile, reward_items = loaded
        balance, lifetime = int(member["balance"]), int(member["lifetime_points"])
        tier_list = profile["tiers"]
        out.append(
            {
                "merchant_id": member["merchant_id"],
                "merchant_name": profile["name"],
                "category": profile["category"],
                "currency": profile.get("currency", "EUR"),
                "balance": balance,
                "lifetime_points": lifetime,
                "tier": tiers.tier_for(lifetime, tier_list),
                "next_tier": tiers.next_tier(lifetime, tier_list),
                "stamps": int(member.get("stamps") or 0),
                "stamp_card": merchants.public_stamp_card(profile.get("stamp_card")),
                "promotions": promotions.current(profile),
                "affordable_rewards": rewards.affordable(
                    reward_items, balance, lifetime, tier_list
                ),
                "locked_rewards": rewards.locked(reward_items, lifetime, tier_list),
                "updated_at": member["updated_at"],
                "expiry": expiry.upcoming(member, profile),
            }
        )
    return {"memberships": sorted(out, key=lambda m: m["updated_at"], reverse=True)}


def transactions(
    user_id: str, merchant_id: str | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    """The caller's ledger entries, newest first."""
    return pages.page(
        lambda: store.customer_entries(user_id, merchant_id, limit, cursor), public_entry
    )


def dispute(user_id: str, merchant_id: str, tx_id: str, reason: str) -> dict[str, Any]:
    """The customer says one of their transactions is wrong (a redemption they did not make,
    say): it is marked, once, for the business's owner to see in the ledger and refund."""
    entry = store.get_entry(merchant_id, tx_id)
    if entry is None or entry.get("customer_id") != user_id:
        raise errors.NotFound()
    if entry.get("disputed_at"):
        raise errors.AlreadyDisputed()
    marked = store.mark_disputed(merchant_id, tx_id, user_id, clock.iso(), reason)
    if marked is None:
        raise errors.AlreadyDisputed()
    return public_entry(marked)

"""Reminders: 'You can now get Free coffee' when a balance first covers a reward, and '120
points at Café Rosa expire on 3 March' two weeks before an expiry.

A reminder is decided here and recorded as an item (`USER#<sub>/REMINDER#<mid>`, by
`dal.mail.claim_reminder`); the stream carries that item to the notifier, which emails it
like any other change. The item is also the limit: its condition lets at most one
reminder per customer per business through per week (`config.REMINDER_GAP_SECONDS`), and
each expiry date is warned of once. So a redelivered stream record, two runs of the
scheduled job, or a reward reminder and an expiry warning in the same week, all end in at
most one email.
"""

from __future__ import annotations

from typing import Any

from backend import clock, config
from backend.dal import mail
from backend.logic import preferences, rewards


def newly_within_reach(
    entry: dict[str, Any],
    business: dict[str, Any],
    reward_items: list[dict[str, Any]],
    lifetime: int,
) -> str | None:
    """The reward this entry's points (or stamp) have just brought within reach: one the
    balance before it did not cover and the balance after it does (the cheapest, if several),
    or the stamp card's reward when this stamp filled the card. None otherwise."""
    points, stamps = int(entry.get("points") or 0), int(entry.get("stamps") or 0)
    card = business.get("stamp_card") or {}
    needed = int(card.get("stamps_needed") or 0)
    after_stamps = int(entry.get("stamps_after") or 0)
    if stamps > 0 and card.get("active", True) and after_stamps - stamps < needed <= after_stamps:
        return str(card.get("reward_name") or "") or None
    if points <= 0:
        return None
    after = int(entry["balance_after"])
    tier_list = business.get("tiers") or []
    before = {
        r["reward_id"]
        for r in rewards.affordable(reward_items, after - points, lifetime, tier_list)
    }
    fresh = [
        r
        for r in rewards.affordable(reward_items, after, lifetime, tier_list)
        if r["reward_id"] not in before
    ]
    return str(fresh[0]["name"]) if fresh else None


def after_entry(
    entry: dict[str, Any],
    profile: dict[str, Any],
    membership: dict[str, Any] | None,
    business: dict[str, Any],
    reward_items: list[dict[str, Any]],
) -> bool:
    """Record a 'reward within reach' reminder if this entry calls for one and the customer
    wants reminders and had none about this business this week; True if recorded."""
    if not preferences.reminders_on(profile):
        return False
    lifetime = int((membership or {}).get("lifetime_points") or 0)
    reward = newly_within_reach(entry, business, reward_items, lifetime)
    if reward is None:
        return False
    return mail.claim_reminder(
        str(entry["customer_id"]),
        str(entry["merchant_id"]),
        clock.now_s(),
        config.REMINDER_GAP_SECONDS,
        {
            "kind": "reward",
            "merchant_name": str(business.get("name") or entry.get("merchant_name") or ""),
            "reward_name": reward,
            "points": int(entry["balance_after"]),
        },
    )


def expiry_warning(
    user_id: str,
    merchant_id: str,
    merchant_name: str,
    points: int,
    expiry_at: int,
    profile: dict[str, Any],
) -> bool:
    """Record a '`points` at `merchant_name` expire on ...' warning (the points-expiry job
    calls this, `config.EXPIRY_WARNING_SECONDS` before `expiry_at`, epoch seconds) unless
    the customer turned reminders off, had a reminder about this business this week, or
    was already warned of this expiry; True if recorded. The notifier emails it."""
    if points <= 0 or not preferences.reminders_on(profile):
        return False
    return mail.claim_reminder(
        user_id,
        merchant_id,
        clock.now_s(),
        config.REMINDER_GAP_SECONDS,
        {
            "kind": "expiry",
            "merchant_name": merchant_name,
            "points": points,
            "expiry_at": expiry_at,
        },
        warns_of_expiry_at=expiry_at,
    )

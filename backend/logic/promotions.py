"""Promotions: the owner's bonus rules (`loyalty.promotions` says what they are and when
they run); staff see them, the till applies them, the earn transaction records them.

They are kept on the business's profile item, so reading the business (one cached read)
brings them, and every change bumps its `settings_version`: an earn drafted under the old
promotions is refused by its settings check and drafted again, so a promotion changed
between the till's preview and the award never gives a wrong amount. A promotion deleted
later stays named in the ledger entries it applied to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backend import clock
from backend.dal import merchants as merchant_store
from backend.logic import access, errors, ids
from loyalty import catalog
from loyalty import promotions as rules

FIELDS = (
    "name",
    "kind",
    "multiplier_pct",
    "bonus_points",
    "starts_on",
    "ends_on",
    "weekdays",
    "from_time",
    "until_time",
)
SAVE_ATTEMPTS = 5  # an owner racing another settings change: read again and redo


def public_promotion(item: dict[str, Any], time_zone: str) -> dict[str, Any]:
    """The API shape of a promotion: its rule, whether it runs today, and the rule in words."""
    today = rules.today(clock.now(), time_zone)
    return {
        "promotion_id": item["promotion_id"],
        **{k: item.get(k) for k in FIELDS},
        "weekdays": [int(d) for d in item.get("weekdays") or []],
        "status": rules.status(item, today),
        "description": rules.describe(item),
        "created_at": item["created_at"],
    }


def time_zone_of(profile: dict[str, Any]) -> str:
    """The business's time zone (UTC for a business registered before it had one)."""
    return profile.get("time_zone") or catalog.DEFAULT_TIME_ZONE


def current(profile: dict[str, Any]) -> list[dict[str, Any]]:
    """The business's promotions that have not ended, in their API shape (customers see these)."""
    zone = time_zone_of(profile)
    today = rules.today(clock.now(), zone)
    return [
        public_promotion(p, zone) for p in rules.current(profile.get("promotions") or [], today)
    ]


def list_promotions(user_id: str, merchant_id: str) -> dict[str, Any]:
    """Every promotion of the business, ended ones too (staff)."""
    access.require_staff(merchant_id, user_id)
    profile = _profile(merchant_id)
    zone = time_zone_of(profile)
    items = [public_promotion(p, zone) for p in profile.get("promotions") or []]
    items.sort(key=lambda p: (p["status"] == "ended", p["starts_on"], p["promotion_id"]))
    return {"time_zone": zone, "promotions": items}


def create_promotion(user_id: str, merchant_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The owner adds a promotion (at most `loyalty.promotions.MAX_PROMOTIONS`)."""
    access.require_owner(merchant_id, user_id)
    promotion = {
        "promotion_id": ids.new_id("p"),
        **{k: fields.get(k) for k in FIELDS},
        "weekdays": sorted(fields.get("weekdays") or []),
        "created_at": clock.iso(),
    }

    def add(promotions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(promotions) >= rules.MAX_PROMOTIONS:
            raise errors.TooManyPromotions()
        return [*promotions, promotion]

    profile = _save(merchant_id, add)
    return public_promotion(promotion, time_zone_of(profile))


def update_promotion(
    user_id: str, merchant_id: str, promotion_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """The owner changes a promotion; the changed rule is checked whole (422 if it is none).

    Entries it applied to keep what they recorded: the ledger is never rewritten.
    """
    access.require_owner(merchant_id, user_id)
    changed: dict[str, Any] = {}

    def edit(promotions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        found = next((p for p in promotions if p["promotion_id"] == promotion_id), None)
        if found is None:
            raise errors.NotFound()
        merged = {**found, **changes}
        if "weekdays" in changes:
            merged["weekdays"] = sorted(changes["weekdays"] or [])
        if "kind" in changes:  # a new kind brings its own amount: drop the other one
            other = "bonus_points" if changes["kind"] == "multiplier" else "multiplier_pct"
            if other not in changes:
                merged[other] = None
        problem = rules.problem(merged)
        if problem:
            raise errors.ValidationFailed(problem)
        changed.update(merged)
        return [merged if p["promotion_id"] == promotion_id else p for p in promotions]

    profile = _save(merchant_id, edit)
    return public_promotion(changed, time_zone_of(profile))


def delete_promotion(user_id: str, merchant_id: str, promotion_id: str) -> None:
    """The owner deletes a promotion (from now on it applies to nothing)."""
    access.require_owner(merchant_id, user_id)

    def drop(promotions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kept = [p for p in promotions if p["promotion_id"] != promotion_id]
        if len(kept) == len(promotions):
            raise errors.NotFound()
        return kept

    _save(merchant_id, drop)


def _profile(merchant_id: str) -> dict[str, Any]:
    profile = merchant_store.get_profile(merchant_id, consistent=True)
    if profile is None:
        raise errors.NotFound()
    return profile


def _save(
    merchant_id: str, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
) -> dict[str, Any]:
    """Apply `change` to the promotions as they are, conditioned on the settings version."""
    for _ in range(SAVE_ATTEMPTS):
        profile = _profile(merchant_id)
        promotions = change([dict(p) for p in profile.get("promotions") or []])
        saved = merchant_store.save_promotions(
            merchant_id, promotions, int(profile["settings_version"])
        )
        if saved is not None:
            return saved
    raise errors.ConcurrentChange()

"""Businesses: profile and directory keys, rewards. (Who works there: `dal/staff.py`.)"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from backend.dal import cache, keys, staff
from backend.dal import dynamodb as db

_PROFILE_FIELDS = (
    "name",
    "category",
    "currency",
    "earning_rule",
    "tiers",
    "time_zone",
    "stamp_card",
    "staff_limits",
)


def _directory_keys(merchant_id: str, name: str, category: str) -> dict[str, str]:
    sort = keys.directory_sort(name, merchant_id)
    return {
        "gsi1pk": keys.DIRECTORY,
        "gsi1sk": sort,
        "gsi2pk": keys.directory_category(category),
        "gsi2sk": sort,
    }


def create(profile: dict[str, Any], owner: dict[str, Any], cap: int) -> None:
    """Profile, the owner's staff item and its mirror, counted, in one transaction.

    staff.Refused("full") when the owner already holds `cap` businesses.
    """
    mid = profile["merchant_id"]
    item = {
        "pk": keys.merchant(mid),
        "sk": keys.PROFILE,
        **profile,
        "settings_version": 1,
        **_directory_keys(mid, profile["name"], profile["category"]),
    }
    try:
        db.transact(
            [
                {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Put": {"Item": staff.staff_item(mid, owner, "owner", profile["created_at"])}},
                {"Put": {"Item": staff.role_item(mid, owner["user_id"], "owner")}},
                staff.count_business(owner["user_id"], cap),
            ]
        )
    except db.TransactionCancelled as cancelled:
        if cancelled.failed(3):
            raise staff.Refused("full") from cancelled
        raise
    cache.put_merchant(item, [])


def get_profile(merchant_id: str, *, consistent: bool = False) -> dict[str, Any] | None:
    """The business profile item, or None."""
    return db.get(keys.merchant(merchant_id), keys.PROFILE, consistent=consistent)


def profiles(merchant_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Several business profiles in one round trip (BatchGetItem), by id; unknown ones absent."""
    if not merchant_ids:
        return {}
    found = db.batch_get([(keys.merchant(mid), keys.PROFILE) for mid in merchant_ids])
    return {item["merchant_id"]: item for item in found.values()}


def load(
    merchant_id: str, *, fresh: bool = False, with_rewards: bool = True
) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """(profile, all rewards) from the warm cache, or read and cached; None if no such business.

    With `with_rewards=False` (earn) a cached profile whose rewards were not read yet will
    do, and the rewards come back as [].
    """
    hit = None if fresh else cache.merchant(merchant_id)
    if hit and (hit[1] is not None or not with_rewards):
        return hit[0], hit[1] or []
    profile = hit[0] if hit else get_profile(merchant_id, consistent=fresh)
    if profile is None:
        cache.forget_merchant(merchant_id)
        return None
    rewards = list_rewards(merchant_id)
    cache.put_merchant(profile, rewards)
    return profile, rewards


def update_settings(merchant_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply settings changes, bump settings_version (warm caches notice via conditions)."""
    sets = ["settings_version = settings_version + :one"]
    names: dict[str, str] = {}
    values: dict[str, Any] = {":one": 1}
    for field in _PROFILE_FIELDS:
        if field in changes:
            names[f"#{field}"] = field
            values[f":{field}"] = changes[field]
            sets.append(f"#{field} = :{field}")
    if "name" in changes or "category" in changes:
        current = get_profile(merchant_id, consistent=True) or {}
        name = changes.get("name", current.get("name", ""))
        category = changes.get("category", current.get("category", "other"))
        for attr, value in _directory_keys(merchant_id, name, category).items():
            values[f":{attr}"] = value
            sets.append(f"{attr} = :{attr}")
    item = db.update(
        keys.merchant(merchant_id),
        keys.PROFILE,
        "SET " + ", ".join(sets),
        values,
        names or None,
        condition="attribute_exists(pk)",
    )
    cache.forget_merchant(merchant_id)
    return item


def set_expiry_policy(merchant_id: str, months: int, since_s: int) -> None:
    """Switch points expiry on (`months` > 0) or off (0), from `since_s`: the profile and the
    list of businesses with a policy (what the scheduled job walks) change together."""
    profile_update = {
        "Update": {
            "Key": db.key(keys.merchant(merchant_id), keys.PROFILE),
            "UpdateExpression": (
                "SET expiry_months = :months, expiry_since = :since,"
                " settings_version = settings_version + :one"
            ),
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": {":months": months, ":since": since_s, ":one": 1},
        }
    }
    registry_key = db.key(keys.EXPIRY_POLICIES, keys.merchant(merchant_id))
    if months:
        entry = {
            "Put": {
                "Item": {
                    "pk": keys.EXPIRY_POLICIES,
                    "sk": keys.merchant(merchant_id),
                    "merchant_id": merchant_id,
                    "expiry_months": months,
                    "expiry_since": since_s,
                }
            }
        }
    else:
        entry = {"Delete": {"Key": registry_key}}
    db.transact([profile_update, entry])
    cache.forget_merchant(merchant_id)


def expiry_policies(limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the businesses that have an expiry policy (the scheduled job's list)."""
    return db.query(("pk", keys.EXPIRY_POLICIES), limit=limit, cursor=cursor)


def save_promotions(
    merchant_id: str, promotions: list[dict[str, Any]], settings_version: int
) -> dict[str, Any] | None:
    """Replace the business's promotions if its settings are still at `settings_version`,
    bumping it: an earn drafted under the old promotions is refused by its settings check.
    None when the settings moved meanwhile (read again and redo the change)."""
    try:
        item = db.update(
            keys.merchant(merchant_id),
            keys.PROFILE,
            "SET promotions = :p, settings_version = settings_version + :one",
            {":p": promotions, ":one": 1, ":sv": settings_version},
            condition="settings_version = :sv",
        )
    except ClientError as error:
        if db.is_condition_failure(error):
            return None
        raise
    cache.forget_merchant(merchant_id)
    return item


def directory(
    category: str | None, q: str | None, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Businesses by name (optionally one category; `q` filters on the name)."""
    needle = q.lower() if q else None
    keep = (lambda item: needle in item["name"].lower()) if needle else None
    if category:
        return db.query(
            ("gsi2pk", keys.directory_category(category)),
            index="gsi2",
            limit=limit,
            cursor=cursor,
            keep=keep,
            list_tag=needle or "",
        )
    return db.query(
        ("gsi1pk", keys.DIRECTORY),
        index="gsi1",
        limit=limit,
        cursor=cursor,
        keep=keep,
        list_tag=needle or "",
    )


# ------------------------------------------------------------------ rewards


def list_rewards(merchant_id: str) -> list[dict[str, Any]]:
    """All rewards of a business, retired ones included."""
    items, _ = db.query(("pk", keys.merchant(merchant_id)), sort_prefix="REWARD#")
    return items


def get_reward(merchant_id: str, reward_id: str) -> dict[str, Any] | None:
    return db.get(keys.merchant(merchant_id), keys.reward(reward_id), consistent=True)


def put_reward(merchant_id: str, reward: dict[str, Any]) -> None:
    db.put({"pk": keys.merchant(merchant_id), "sk": keys.reward(reward["reward_id"]), **reward})
    cache.forget_merchant(merchant_id)


def update_reward(
    merchant_id: str, reward_id: str, changes: dict[str, Any]
) -> dict[str, Any] | None:
    """Change a reward's fields (a field set to None is removed); None if there is no such
    reward."""
    names = {f"#{k}": k for k in changes}
    values = {f":{k}": v for k, v in changes.items() if v is not None}
    sets = [f"#{k} = :{k}" for k, v in changes.items() if v is not None]
    removes = [f"#{k}" for k, v in changes.items() if v is None]
    expression = " ".join(
        part
        for part in (
            "SET " + ", ".join(sets) if sets else "",
            "REMOVE " + ", ".join(removes) if removes else "",
        )
        if part
    )
    item = db.update_existing(
        keys.merchant(merchant_id), keys.reward(reward_id), expression, values, names
    )
    if item is not None:
        cache.forget_merchant(merchant_id)
    return item

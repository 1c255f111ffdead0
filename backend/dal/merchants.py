"""Businesses: profile and directory keys, staff roles (with their mirror), rewards."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from backend.dal import cache, keys
from backend.dal import dynamodb as db

_PROFILE_FIELDS = ("name", "category", "currency", "earning_rule", "tiers", "staff_limits")


def _directory_keys(merchant_id: str, name: str, category: str) -> dict[str, str]:
    sort = keys.directory_sort(name, merchant_id)
    return {
        "gsi1pk": keys.DIRECTORY,
        "gsi1sk": sort,
        "gsi2pk": keys.directory_category(category),
        "gsi2sk": sort,
    }


def create(profile: dict[str, Any], owner: dict[str, Any]) -> None:
    """Profile, the owner's staff item and its mirror, in one transaction."""
    mid = profile["merchant_id"]
    item = {
        "pk": keys.merchant(mid),
        "sk": keys.PROFILE,
        **profile,
        "settings_version": 1,
        **_directory_keys(mid, profile["name"], profile["category"]),
    }
    db.transact(
        [
            {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Put": {"Item": _staff_item(mid, owner, "owner", profile["created_at"])}},
            {"Put": {"Item": _role_item(mid, owner["user_id"], "owner")}},
        ]
    )
    cache.put_merchant(item, [])


def get_profile(merchant_id: str, *, consistent: bool = False) -> dict[str, Any] | None:
    """The business profile item, or None."""
    return db.get(keys.merchant(merchant_id), keys.PROFILE, consistent=consistent)


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


# ------------------------------------------------------------------ staff


def _staff_item(merchant_id: str, user: dict[str, Any], role: str, added_at: str) -> dict[str, Any]:
    return {
        "pk": keys.merchant(merchant_id),
        "sk": keys.staff(user["user_id"]),
        "merchant_id": merchant_id,
        "user_id": user["user_id"],
        "email": user.get("email", ""),
        "display_name": user.get("display_name", ""),
        "role": role,
        "added_at": added_at,
    }


def _role_item(merchant_id: str, user_id: str, role: str) -> dict[str, Any]:
    return {
        "pk": keys.user(user_id),
        "sk": keys.role(merchant_id),
        "merchant_id": merchant_id,
        "role": role,
    }


def get_staff(merchant_id: str, user_id: str) -> dict[str, Any] | None:
    """This user's staff item at this business (role owner|staff), or None."""
    item = db.get(keys.merchant(merchant_id), keys.staff(user_id), consistent=True)
    cache.put_staff_role(merchant_id, user_id, item["role"] if item else None)
    return item


def staff_role(merchant_id: str, user_id: str) -> str | None:
    """The user's role at the business (warm cache, else read); None if they don't work there."""
    role = cache.staff_role(merchant_id, user_id)
    if role is None:
        item = get_staff(merchant_id, user_id)
        role = item["role"] if item else None
    return role


def list_staff(merchant_id: str) -> list[dict[str, Any]]:
    """Everyone who works at the business, owner included."""
    items, _ = db.query(("pk", keys.merchant(merchant_id)), sort_prefix="STAFF#")
    return items


def add_staff(merchant_id: str, user: dict[str, Any], added_at: str) -> dict[str, Any] | None:
    """Staff item + mirror in one transaction; None if they already work there."""
    item = _staff_item(merchant_id, user, "staff", added_at)
    try:
        db.transact(
            [
                {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Put": {"Item": _role_item(merchant_id, user["user_id"], "staff")}},
            ]
        )
    except db.TransactionCancelled as cancelled:
        if cancelled.failed(0):
            return None
        raise
    return item


def remove_staff(merchant_id: str, user_id: str) -> bool:
    """Delete a (non-owner) staff item and its mirror; False if they did not work there."""
    try:
        db.transact(
            [
                {
                    "Delete": {
                        "Key": db.key(keys.merchant(merchant_id), keys.staff(user_id)),
                        "ConditionExpression": "attribute_exists(pk) AND #role = :staff",
                        "ExpressionAttributeNames": {"#role": "role"},
                        "ExpressionAttributeValues": {":staff": "staff"},
                    }
                },
                {"Delete": {"Key": db.key(keys.user(user_id), keys.role(merchant_id))}},
            ]
        )
    except db.TransactionCancelled as cancelled:
        if cancelled.failed(0):
            return False
        raise
    return True


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
    """Change a reward's fields; None if there is no such reward."""
    names = {f"#{k}": k for k in changes}
    values = {f":{k}": v for k, v in changes.items()}
    expression = "SET " + ", ".join(f"#{k} = :{k}" for k in changes)
    try:
        item = db.update(
            keys.merchant(merchant_id),
            keys.reward(reward_id),
            expression,
            values,
            names,
            condition="attribute_exists(pk)",
        )
    except ClientError as error:
        if db.is_condition_failure(error):
            return None
        raise
    cache.forget_merchant(merchant_id)
    return item

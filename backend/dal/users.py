"""User profiles (and the email lookup written with them)."""

from __future__ import annotations

from typing import Any

from backend.dal import dynamodb as db
from backend.dal import keys


def get_profile(user_id: str, *, consistent: bool = False) -> dict[str, Any] | None:
    """The user's profile item, or None."""
    return db.get(keys.user(user_id), keys.PROFILE, consistent=consistent)


def profiles(user_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Several users' profiles, a BatchGetItem per 100, by id; unknown ones absent."""
    found: dict[str, dict[str, Any]] = {}
    unique = sorted(set(user_ids))
    for start in range(0, len(unique), 100):  # BatchGetItem takes 100 keys at most
        batch = db.batch_get(
            [(keys.user(uid), keys.PROFILE) for uid in unique[start : start + 100]]
        )
        found.update({item["user_id"]: item for item in batch.values()})
    return found


def create_profile(user_id: str, email: str, display_name: str, created_at: str) -> bool:
    """Profile + email lookup in one transaction; False if they already exist (idempotent)."""
    profile = {
        "pk": keys.user(user_id),
        "sk": keys.PROFILE,
        "user_id": user_id,
        "email": email,
        "display_name": display_name,
        "created_at": created_at,
    }
    lookup = {"pk": keys.email(email), "sk": "USER", "user_id": user_id}
    try:
        db.transact(
            [
                {"Put": {"Item": profile, "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Put": {"Item": lookup}},
            ]
        )
    except db.TransactionCancelled as cancelled:
        if cancelled.failed(0):
            return False
        raise
    return True


def profile_and_role(user_id: str, merchant_id: str) -> tuple[dict[str, Any] | None, bool]:
    """The user's profile, and whether they work at the business (one round trip)."""
    profile_key, staff_key = (
        (keys.user(user_id), keys.PROFILE),
        (
            keys.merchant(merchant_id),
            keys.staff(user_id),
        ),
    )
    found = db.batch_get([profile_key, staff_key])
    return found.get(profile_key), staff_key in found


def update_display_name(user_id: str, display_name: str) -> dict[str, Any] | None:
    """Set the display name; None if the user has no profile."""
    return db.update_existing(
        keys.user(user_id), keys.PROFILE, "SET display_name = :n", {":n": display_name}
    )


# ------------------------------------------------------------------ account deletion


def mark_deleting(user_id: str, since: str) -> None:
    """Mark the profile as being deleted: from now on no business opens a first membership
    for this user (the balance transaction checks the mark). No-op without a profile."""
    db.update_existing(
        keys.user(user_id),
        keys.PROFILE,
        "SET deleting_since = if_not_exists(deleting_since, :t)",
        {":t": since},
    )


def erase(profile: dict[str, Any], record: dict[str, Any]) -> None:
    """Delete the profile, its email lookup and its counts, and leave the deletion `record`,
    in one transaction. The record is written once (a repeated deletion changes nothing): the
    table's stream carries its insertion to whatever confirms the deletion by email."""
    user_id = profile["user_id"]
    actions: list[dict[str, Any]] = [
        {
            "Delete": {
                "Key": db.key(keys.user(user_id), keys.PROFILE),
                "ConditionExpression": "attribute_exists(pk)",
            }
        },
        {
            "Put": {
                "Item": {"pk": keys.deletion(user_id), "sk": "ACCOUNT", **record},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        },
        {
            # Only our own lookup: never another account's that uses the address now.
            "Delete": {
                "Key": db.key(keys.email(profile.get("email", "")), "USER"),
                "ConditionExpression": "attribute_not_exists(pk) OR user_id = :me",
                "ExpressionAttributeValues": {":me": user_id},
            }
        },
    ]
    # The count of businesses held (dal.staff): nothing is held any more.
    counts = {"Delete": {"Key": db.key(keys.user(user_id), keys.COUNTS)}}
    try:
        db.transact([*actions, counts])
    except db.TransactionCancelled as cancelled:
        if cancelled.failed(0) or cancelled.failed(1):
            return  # erased already (a concurrent or repeated deletion)
        if cancelled.failed(2):  # the address is someone else's now: leave their lookup be
            db.transact([*actions[:2], counts])
            return
        raise

"""Roles by consent: staff items and their mirrors, invitations, and the counts that cap them.

Nobody becomes staff without accepting (invariant 10): the staff item, its mirror and the
invitation's removal are one transaction, whose conditions are the consent (the invitation
is there, still open, and is the one the link names) and the cap on businesses per account.

Two counters, each in a `COUNTS` item, are changed in the same transaction as what they
count: `businesses` (USER#: roles held) and `pending_invitations` (MERCHANT#). DynamoDB's
TTL deletes expired invitations without telling the counter, so a business that seems
full is recounted (`_recount`) before it is refused.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from backend import clock
from backend.dal import cache, keys
from backend.dal import dynamodb as db

Item = dict[str, Any]


class Refused(Exception):
    """A write one of its conditions refused; `reason` names which (see each function)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ------------------------------------------------------------------ staff and their mirrors


def staff_item(merchant_id: str, user: Item, role: str, added_at: str) -> Item:
    """Who works at a business (the owner too), under the business."""
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


def role_item(merchant_id: str, user_id: str, role: str) -> Item:
    """The mirror of a staff item, under the user: what `GET /me/merchants` reads."""
    return {
        "pk": keys.user(user_id),
        "sk": keys.role(merchant_id),
        "merchant_id": merchant_id,
        "role": role,
    }


def count_business(user_id: str, cap: int) -> Item:
    """The action that counts one more business for a user, refused at `cap`."""
    return {
        "Update": {
            "Key": db.key(keys.user(user_id), keys.COUNTS),
            "UpdateExpression": "SET businesses = if_not_exists(businesses, :zero) + :one",
            "ConditionExpression": "attribute_not_exists(businesses) OR businesses < :cap",
            "ExpressionAttributeValues": {":zero": 0, ":one": 1, ":cap": cap},
        }
    }


def _uncount_business(user_id: str) -> Item:
    return {
        "Update": {
            "Key": db.key(keys.user(user_id), keys.COUNTS),
            # An account from before the counter has none: it goes to 0, never below.
            "UpdateExpression": "SET businesses = if_not_exists(businesses, :one) - :one",
            "ExpressionAttributeValues": {":one": 1},
        }
    }


def get_staff(merchant_id: str, user_id: str) -> Item | None:
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


def list_staff(merchant_id: str) -> list[Item]:
    """Everyone who works at the business, owner included."""
    items, _ = db.query(("pk", keys.merchant(merchant_id)), sort_prefix="STAFF#")
    return items


def remove_staff(merchant_id: str, user_id: str) -> bool:
    """Delete a (non-owner) staff item, its mirror and its count; False if they did not
    work there as staff. Used when the owner removes someone and when someone leaves."""
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
                _uncount_business(user_id),
            ]
        )
    except db.TransactionCancelled as cancelled:
        if cancelled.failed(0):
            return False
        raise
    return True


def role(user_id: str, merchant_id: str) -> Item | None:
    """The user's role mirror at one business, or None."""
    return db.get(keys.user(user_id), keys.role(merchant_id), consistent=True)


def roles(user_id: str, limit: int, cursor: str | None) -> tuple[list[Item], str | None]:
    """A page of the businesses this user owns or staffs (role mirrors, by business id)."""
    return db.query(("pk", keys.user(user_id)), sort_prefix="ROLE#", limit=limit, cursor=cursor)


# ------------------------------------------------------------------ invitations


def invitation_item(invitation: Item) -> Item:
    """An invitation with its keys: under the business (one per email), and by email (gsi1)."""
    email, merchant_id = invitation["email"], invitation["merchant_id"]
    return {
        "pk": keys.merchant(merchant_id),
        "sk": keys.invitation(email),
        "gsi1pk": keys.invitee(email),
        "gsi1sk": keys.invitee_sort(invitation["expires_at"], merchant_id),
        **invitation,
    }


def _pending(merchant_id: str, change: int, cap: int | None = None) -> Item:
    update: Item = {
        "Key": db.key(keys.merchant(merchant_id), keys.COUNTS),
        "UpdateExpression": "SET pending_invitations = if_not_exists(pending_invitations, :zero)"
        " + :change",
        "ExpressionAttributeValues": {":zero": 0, ":change": change},
    }
    if cap is not None:
        update["ConditionExpression"] = (
            "attribute_not_exists(pending_invitations) OR pending_invitations < :cap"
        )
        update["ExpressionAttributeValues"][":cap"] = cap
    return {"Update": update}


def invite(invitation: Item, cap: int) -> None:
    """Store a new invitation and count it.

    Refused("pending") when this email already has an open invitation from the business,
    Refused("full") when the business has `cap` open ones. An expired one of the same email
    is cleared first; expired ones free their places when the business seems full.
    """
    merchant_id = invitation["merchant_id"]
    recounted = False
    for _ in range(5):  # each turn clears one obstacle; more means others keep racing us
        try:
            db.transact(
                [
                    {
                        "Put": {
                            "Item": invitation_item(invitation),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    _pending(merchant_id, +1, cap),
                ]
            )
            return
        except db.TransactionCancelled as cancelled:
            existing = cancelled.failed(0)
            if existing is not None:
                if not _expired(existing.item):
                    raise Refused("pending") from cancelled
                _clear_expired(existing.item)
            elif cancelled.failed(1) is None:
                raise
            elif recounted:
                raise Refused("full") from cancelled
            else:
                _recount(merchant_id)
                recounted = True
    raise Refused("full")


def _expired(item: Item | None) -> bool:
    return item is not None and int(item.get("expires_at", 0)) <= clock.now_s()


def _clear_expired(item: Item) -> bool:
    """Remove one expired invitation and uncount it; False if it was no longer there."""
    try:
        db.transact(
            [
                {
                    "Delete": {
                        "Key": db.key(item["pk"], item["sk"]),
                        "ConditionExpression": "attribute_exists(pk) AND expires_at <= :now",
                        "ExpressionAttributeValues": {":now": clock.now_s()},
                    }
                },
                _pending(item["merchant_id"], -1),
            ]
        )
    except db.TransactionCancelled as cancelled:
        if cancelled.failed(0):
            return False
        raise
    return True


def _recount(merchant_id: str) -> None:
    """Free the places of expired invitations, and of those TTL deleted behind the counter.

    The counter is set to what is there only if nothing changed it meanwhile: every write
    that adds or removes an invitation changes it too, so a count that held still is at
    least the truth (TTL can only remove more), never below it.
    """
    for item in list_invitations(merchant_id):
        if _expired(item):
            _clear_expired(item)
    counts = db.get(keys.merchant(merchant_id), keys.COUNTS, consistent=True) or {}
    counted = int(counts.get("pending_invitations", 0))
    present = len(list_invitations(merchant_id))
    if present < counted:
        try:
            db.update(
                keys.merchant(merchant_id),
                keys.COUNTS,
                "SET pending_invitations = :present",
                {":present": present, ":counted": counted},
                condition="pending_invitations = :counted",
            )
        except ClientError as error:
            if not db.is_condition_failure(error):
                raise
            # Someone invited or answered meanwhile: the next invitation recounts again.


def list_invitations(merchant_id: str) -> list[Item]:
    """Every invitation of a business (expired ones too; at most the cap, see `invite`)."""
    items, _ = db.query(("pk", keys.merchant(merchant_id)), sort_prefix="INVITE#", consistent=True)
    return items


def get_invitation(merchant_id: str, email: str) -> Item | None:
    """The business's invitation to this email, or None."""
    return db.get(keys.merchant(merchant_id), keys.invitation(email), consistent=True)


def invitations_to(email: str, limit: int, cursor: str | None) -> tuple[list[Item], str | None]:
    """A page of the open invitations to this email, the soonest to expire first.

    Their gsi1 sort key starts with the expiry, so the open ones are one range: expired
    invitations (TTL deletes them late) cost nothing to skip, however many there are.
    """
    now = clock.now_s()
    return db.query(
        ("gsi1pk", keys.invitee(email)),
        index="gsi1",
        sort_between=(keys.invitee_sort(now + 1, ""), "INVITE#~"),
        limit=limit,
        cursor=cursor,
        keep=lambda item: int(item["expires_at"]) > now,
    )


def withdraw(merchant_id: str, email: str, field: str, value: str) -> bool:
    """Remove an invitation (declined, cancelled, or made pointless) if its `field` still
    holds `value`, and uncount it; False if there was no such invitation."""
    try:
        db.transact(
            [
                {
                    "Delete": {
                        "Key": db.key(keys.merchant(merchant_id), keys.invitation(email)),
                        "ConditionExpression": "#field = :value",
                        "ExpressionAttributeNames": {"#field": field},
                        "ExpressionAttributeValues": {":value": value},
                    }
                },
                _pending(merchant_id, -1),
            ]
        )
    except db.TransactionCancelled as cancelled:
        if cancelled.failed(0):
            return False
        raise
    return True


def accept(invitation: Item, user: Item, added_at: str, cap: int) -> Item:
    """The invitee's yes: the invitation goes, the staff item and its mirror come, counted.

    Refused("gone") if the invitation is no longer the one read (answered, cancelled, sent
    again) or expired meanwhile; Refused("already_staff"); Refused("full") when the user
    already holds `cap` businesses. Nothing is written unless all of it is.
    """
    merchant_id, user_id = invitation["merchant_id"], user["user_id"]
    staff = staff_item(merchant_id, user, "staff", added_at)
    try:
        db.transact(
            [
                {
                    "Delete": {
                        "Key": db.key(keys.merchant(merchant_id), keys.invitation(user["email"])),
                        "ConditionExpression": "#token = :token AND expires_at > :now",
                        "ExpressionAttributeNames": {"#token": "token"},
                        "ExpressionAttributeValues": {
                            ":token": invitation["token"],
                            ":now": clock.now_s(),
                        },
                    }
                },
                {"Put": {"Item": staff, "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Put": {"Item": role_item(merchant_id, user_id, "staff")}},
                count_business(user_id, cap),
                _pending(merchant_id, -1),
            ]
        )
    except db.TransactionCancelled as cancelled:
        for index, reason in ((0, "gone"), (1, "already_staff"), (3, "full")):
            if cancelled.failed(index):
                raise Refused(reason) from cancelled
        raise
    return staff

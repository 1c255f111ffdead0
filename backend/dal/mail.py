"""What ePoint remembers about email, in the table: what it sent (once per item and kind),
which addresses must not be mailed (bounces, complaints, opt-outs), each customer's mail
settings, and the last reminder per customer and business (at most one a week).

Items (docs/data-model.md, "Email"):
  SENT#<pk>|<sk> / <kind>        one per email sent because of an item: the dedup claim
  EMAIL#<address> / MAIL         suppressed (bounce|complaint), no_invitations, no_mail
  USER#<sub> / PROFILE           mail_receipts, mail_reminders, locale, time_zone
  USER#<sub> / MEMBER#<mid>      mail_receipts (receipts from that one business)
  USER#<sub> / REMINDER#<mid>    the last reminder: kind, reminded_at, what it said
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from backend.dal import dynamodb as db
from backend.dal import keys

# ------------------------------------------------------------------ sent: at most once


def claim(item_key: str, kind: str, now_s: int, ttl_s: int) -> bool:
    """Claim the one email of `kind` that item `item_key` calls for; False if it was claimed
    already (a redelivered stream record). The claim stands as long as the item exists:
    its age is never consulted, TTL (`ttl_s`, longer than the stream keeps a record) only
    tidies up."""
    try:
        db.put(
            {
                "pk": keys.sent(item_key),
                "sk": kind,
                "claimed_at": now_s,
                "expires_at": now_s + ttl_s,
            },
            condition="attribute_not_exists(pk)",
        )
    except ClientError as error:
        if db.is_condition_failure(error):
            return False
        raise
    return True


def release(item_key: str, kind: str) -> None:
    """Give a claim back: the email was not sent (SES refused or failed), so a retry may."""
    db.delete(keys.sent(item_key), kind)


# ------------------------------------------------------------------ addresses


def address(email: str) -> dict[str, Any]:
    """What is known about mailing `email` (lower case): {} when nothing stops it."""
    return db.get(keys.email(email), keys.MAIL) or {}


def suppress(email: str, reason: str, at_iso: str, detail: str) -> None:
    """Never mail `email` again: it bounced for good, or its owner complained."""
    db.update(
        keys.email(email),
        keys.MAIL,
        "SET suppressed = :reason, suppressed_at = :at, suppressed_detail = :detail",
        {":reason": reason, ":at": at_iso, ":detail": detail[:500]},
    )


def opt_out(email: str, what: str, at_iso: str) -> None:
    """The address's owner asked for no more `what` ("invitations" or "mail": everything)."""
    attribute = {"invitations": "no_invitations", "mail": "no_mail"}[what]
    db.update(
        keys.email(email),
        keys.MAIL,
        f"SET {attribute} = :yes, opted_out_at = :at",
        {":yes": True, ":at": at_iso},
    )


# ------------------------------------------------------------------ a customer's settings


def set_customer(user_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
    """Set mail settings on the profile (`mail_receipts`, `mail_reminders`, `locale`,
    `time_zone`); the profile afterwards, or None when there is no profile."""
    if not changes:
        return db.get(keys.user(user_id), keys.PROFILE, consistent=True)
    names = {f"#{k}": k for k in changes}
    values = {f":{k}": v for k, v in changes.items()}
    return db.update_existing(
        keys.user(user_id),
        keys.PROFILE,
        "SET " + ", ".join(f"#{k} = :{k}" for k in changes),
        values,
        names,
    )


def set_business_receipts(user_id: str, merchant_id: str, on: bool) -> dict[str, Any] | None:
    """Receipts from one business on or off, on the membership (so only a business the
    customer belongs to can be named); the membership afterwards, or None if there is none.
    The balance transaction never writes this attribute, and this never writes theirs."""
    return db.update_existing(
        keys.user(user_id), keys.member(merchant_id), "SET mail_receipts = :on", {":on": on}
    )


def customer_and_membership(
    user_id: str, merchant_id: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The profile and the membership at one business, in one round trip."""
    profile_key = (keys.user(user_id), keys.PROFILE)
    member_key = (keys.user(user_id), keys.member(merchant_id))
    found = db.batch_get([profile_key, member_key])
    return found.get(profile_key), found.get(member_key)


# ------------------------------------------------------------------ reminders

_REMINDER_DETAILS = ("reward_name", "points", "expiry_at")


def claim_reminder(
    user_id: str,
    merchant_id: str,
    now_s: int,
    gap_s: int,
    fields: dict[str, Any],
    *,
    warns_of_expiry_at: int | None = None,
) -> bool:
    """Record a reminder about one business, unless the customer had one about it in the
    last `gap_s` seconds (or, for an expiry warning, was already warned of that expiry).
    True if recorded: the stream then carries it to the notifier, which emails it.

    `fields`: kind, merchant_name, and the details of the kind (reward_name; points and
    expiry_at). The item expires (TTL) a month later; only its last reminder matters.
    """
    sets = [
        "customer_id = :customer",
        "merchant_id = :merchant",
        "reminded_at = :now",
        "expires_at = :ttl",
    ]
    values: dict[str, Any] = {
        ":customer": user_id,
        ":merchant": merchant_id,
        ":now": now_s,
        ":ttl": now_s + 30 * 24 * 3600,
        ":since": now_s - gap_s,
    }
    names: dict[str, str] = {}
    for name, value in fields.items():
        names[f"#{name}"] = name
        values[f":{name}"] = value
        sets.append(f"#{name} = :{name}")
    condition = "(attribute_not_exists(reminded_at) OR reminded_at <= :since)"
    if warns_of_expiry_at is not None:
        values[":warned"] = warns_of_expiry_at
        sets.append("expiry_warned_for = :warned")
        condition += (
            " AND (attribute_not_exists(expiry_warned_for) OR expiry_warned_for <> :warned)"
        )
    stale = [name for name in _REMINDER_DETAILS if name not in fields]
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(stale) if stale else "")
    try:
        db.update(
            keys.user(user_id),
            keys.reminder(merchant_id),
            expression,
            values,
            names or None,
            condition=condition,
        )
    except ClientError as error:
        if db.is_condition_failure(error):
            return False
        raise
    return True

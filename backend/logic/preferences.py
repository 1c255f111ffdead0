"""A customer's email settings: receipts (from every business, or business by business),
reminders, and the language and time zone their emails are written for.

Everything is on unless the customer turned it off: receipts on the profile (`mail_receipts`,
all of them) and on each membership (`mail_receipts`, that business's), reminders on the
profile (`mail_reminders`). The language and time zone are what the app last learned from
the customer's browser; until it has, emails use English and the business's time zone.
"""

from __future__ import annotations

from typing import Any

from backend.dal import ledger as ledger_store
from backend.dal import mail, users
from backend.logic import errors

NO_PROFILE = "No profile yet: finish signing up first."


def _on(item: dict[str, Any] | None, attribute: str) -> bool:
    return bool((item or {}).get(attribute, True))


def receipts_on(profile: dict[str, Any], membership: dict[str, Any] | None) -> bool:
    """Whether a receipt from this membership's business may be emailed."""
    return _on(profile, "mail_receipts") and _on(membership, "mail_receipts")


def reminders_on(profile: dict[str, Any]) -> bool:
    """Whether reminders (a reward within reach, points about to expire) may be emailed."""
    return _on(profile, "mail_reminders")


def _shape(profile: dict[str, Any], memberships: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "receipts": _on(profile, "mail_receipts"),
        "reminders": reminders_on(profile),
        "language": profile.get("locale"),
        "time_zone": profile.get("time_zone"),
        "businesses": sorted(
            (
                {
                    "merchant_id": m["merchant_id"],
                    "merchant_name": m.get("merchant_name", ""),
                    "receipts": _on(m, "mail_receipts"),
                }
                for m in memberships
            ),
            key=lambda b: (b["merchant_name"].lower(), b["merchant_id"]),
        ),
    }


def settings(user_id: str) -> dict[str, Any]:
    """The caller's email settings, with every business they have points at."""
    profile = users.get_profile(user_id)
    if profile is None:
        raise errors.NotFound(NO_PROFILE)
    return _shape(profile, ledger_store.memberships(user_id))


def change(
    user_id: str,
    *,
    receipts: bool | None = None,
    reminders: bool | None = None,
    language: str | None = None,
    time_zone: str | None = None,
) -> dict[str, Any]:
    """Change what was given; the settings afterwards."""
    changes: dict[str, Any] = {
        name: value
        for name, value in (
            ("mail_receipts", receipts),
            ("mail_reminders", reminders),
            ("locale", language),
            ("time_zone", time_zone),
        )
        if value is not None
    }
    profile = mail.set_customer(user_id, changes)
    if profile is None:
        raise errors.NotFound(NO_PROFILE)
    return _shape(profile, ledger_store.memberships(user_id))


def change_business(user_id: str, merchant_id: str, receipts: bool) -> dict[str, Any]:
    """Receipts from one business on or off; 404 unless the caller has points there."""
    member = mail.set_business_receipts(user_id, merchant_id, receipts)
    if member is None:
        raise errors.NotFound("You have no points at this business.")
    return {
        "merchant_id": merchant_id,
        "merchant_name": member.get("merchant_name", ""),
        "receipts": _on(member, "mail_receipts"),
    }

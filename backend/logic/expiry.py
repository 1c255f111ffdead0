"""Points expiry in the API: what a membership has expiring (the wallet, the members list)
and the scheduled job that writes the `expiry` entries. The rule is `loyalty.expiry`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from backend import clock
from loyalty import expiry


def epoch_of(iso: str | None) -> int | None:
    """An API timestamp (`2026-11-22T10:15:00Z`) as epoch seconds."""
    if not iso:
        return None
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def _zone(profile: dict[str, Any]) -> ZoneInfo:
    return ZoneInfo(str(profile.get("time_zone") or "UTC"))


def upcoming(member: dict[str, Any], profile: dict[str, Any]) -> dict[str, Any] | None:
    """What expires when for one membership (an item), in the API's shape; None if nothing
    can (the business has no policy, or the balance is empty).

    `expires_on` is the date at the business (its time zone), as the wallet says it;
    `notice` is whether the wallet shows it now (within `loyalty.expiry.NOTICE_DAYS`).
    """
    due = expiry.expiring(
        int(member.get("balance") or 0),
        epoch_of(member.get("last_activity_at") or member.get("updated_at")),
        expiry.policy_of(profile),
    )
    if due is None:
        return None
    return {
        "points": due.points,
        "expires_at": clock.iso(due.at_s),
        "expires_on": datetime.fromtimestamp(due.at_s, UTC)
        .astimezone(_zone(profile))
        .date()
        .isoformat(),
        "notice": due.noticeable(clock.now_s()),
    }

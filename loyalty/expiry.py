"""Points expiry: what expires when, under a business's policy (off unless its owner sets one).

The policy is **inactivity**: a customer's points at a business expire N months after their
last activity there (an earn, a redemption, a claimed receipt, the owner's adjustment). It
is what most points programs do (airlines, hotel chains and big retailers expire points
after a stretch without activity, not per purchase), and it suits a café: a regular never
loses a point, only a customer who stopped coming does, and a visit of any kind puts the
date back. It also keeps the rule computable from the membership alone (its balance and
its last activity), so the wallet's notice, the scheduled job and the email reminders ask
the same function without reading anyone's ledger. (The other policy, "N months after
each earn", needs per-purchase lots spent first-in first-out: every wallet view would read
the whole ledger. README "Points expiry" has the comparison.)

When points expire, all of the balance goes, in one `expiry` ledger entry: the points
already spent are gone from the balance by then, so no redeemed point can expire, and the
entry takes exactly the balance the transaction saw (never below zero).

A policy that is switched on, or changed, gives every balance at least `NOTICE_DAYS` before
anything expires under it: nobody loses points without the wallet having said so first.

Times are epoch seconds (UTC); months are calendar months (31 Jan + 1 month = 28/29 Feb).
Pure and integer-only, like the rest of `loyalty`.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

DAY_S = 86_400

# The wallet shows what expires this many days ahead; a new or changed policy expires
# nothing sooner than this after it was set.
NOTICE_DAYS = 30

# The ledger kinds that count as activity (they restart the clock). A reversal (a refund
# undone at the till) and an expiry do not: neither is the customer coming back.
ACTIVITY_KINDS = frozenset({"earn", "redeem", "stamp_redeem", "adjustment"})


@dataclass(frozen=True)
class Policy:
    """A business's expiry policy: points expire `months` after the last activity, and not
    before `NOTICE_DAYS` after `since_s` (when the policy was set or last changed)."""

    months: int
    since_s: int


def policy_of(profile: Mapping[str, Any]) -> Policy | None:
    """The policy a business profile holds (`expiry_months`, `expiry_since`), or None (off)."""
    months = profile.get("expiry_months")
    if not months:
        return None
    return Policy(int(months), int(profile.get("expiry_since") or 0))


def add_months(epoch_s: int, months: int) -> int:
    """The same moment `months` calendar months later (or earlier, if negative), the day
    clipped to the month's length."""
    moment = datetime.fromtimestamp(epoch_s, UTC)
    index = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return int(moment.replace(year=year, month=month + 1, day=day).timestamp())


def expires_at(last_activity_s: int, policy: Policy) -> int:
    """When the points of a customer last active at `last_activity_s` expire."""
    return max(add_months(last_activity_s, policy.months), policy.since_s + NOTICE_DAYS * DAY_S)


@dataclass(frozen=True)
class Expiring:
    """`points` expire at `at_s`, unless the customer is active there before."""

    points: int
    at_s: int

    def due(self, now_s: int) -> bool:
        """Whether they have expired by `now_s` (the scheduled job then writes the entry)."""
        return now_s >= self.at_s

    def noticeable(self, now_s: int) -> bool:
        """Whether the wallet says so now: within `NOTICE_DAYS` of the date (or past it, until
        the job has run)."""
        return self.at_s - now_s <= NOTICE_DAYS * DAY_S


def expiring(balance: int, last_activity_s: int | None, policy: Policy | None) -> Expiring | None:
    """What expires when for one membership; None if nothing can (no policy, no points, or
    no activity yet to count from)."""
    if policy is None or balance <= 0 or last_activity_s is None:
        return None
    return Expiring(balance, expires_at(last_activity_s, policy))


def idle_cutoff(policy: Policy, now_s: int) -> int:
    """A last activity after this cannot be due at `now_s`: the scheduled job reads the
    memberships idle since before it, and asks `expiring` about each.

    Calendar months are not invertible (29, 30 and 31 January all become 28 February), so
    the cutoff is a few days generous; `expiring` decides.
    """
    return add_months(now_s, -policy.months) + 3 * DAY_S


def is_activity(kind: str) -> bool:
    """Whether a ledger entry of this kind restarts the customer's expiry clock."""
    return kind in ACTIVITY_KINDS

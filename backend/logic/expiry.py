"""Points expiry in the API: what a membership has expiring (the wallet, the members list)
and the scheduled job that writes the `expiry` entries. The rule is `loyalty.expiry`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from backend import clock, config
from backend.dal import ledger as store
from backend.dal import merchants as merchant_store
from backend.dal import users
from backend.logic import errors, ledger, promotions, reminders
from backend.logic.idempotency import Idempotency
from loyalty import expiry


def epoch_of(iso: str | None) -> int | None:
    """An API timestamp (`2026-11-22T10:15:00Z`) as epoch seconds."""
    if not iso:
        return None
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def _zone(profile: dict[str, Any]) -> ZoneInfo:
    return ZoneInfo(promotions.time_zone_of(profile))


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


# ------------------------------------------------------------------ the scheduled job

PAGE = 100  # memberships (and businesses) read per Query
JOB = "expiry"  # the job's idempotency scope: no user's id (a Cognito sub) can be this


@dataclass
class Run:
    """What one run of the job did."""

    businesses: int = 0
    expired: int = 0  # entries written
    points: int = 0  # points they took
    skipped: int = 0  # read as due, but not (a visit meanwhile, or already expired)
    warned: int = 0  # "N points expire on ..." reminders recorded (the notifier emails them)
    finished: bool = True  # False: out of time; the next run carries on


class _NothingDue(Exception):
    """The membership, read again inside the driver, has nothing due (a visit meanwhile)."""


def _idempotency(merchant_id: str, customer_id: str, due_at: int) -> Idempotency:
    """One key per membership per expiry date: a rerun, or two runs at once, write one entry."""
    key = f"{merchant_id}:{customer_id}:{due_at}"
    return Idempotency(JOB, key, hashlib.sha256(f"expiry {key}".encode()).hexdigest())


def expire_membership(
    merchant_id: str, customer_id: str, policy: expiry.Policy, customer_name: str = ""
) -> dict[str, Any] | None:
    """Expire one membership's points if they are due now: one `expiry` entry taking the
    whole balance (conditioned on the version read, so never what was spent meanwhile and
    never below zero). None when nothing was due or it was done already."""
    now_s = clock.now_s()

    def draft(at: ledger.Attempt) -> ledger.Proposal:
        member = at.member(customer_id)
        due = expiry.expiring(member.balance, epoch_of(member.last_activity), policy)
        if due is None or not due.due(now_s):
            raise _NothingDue()
        entry = at.entry(
            member,
            "expiry",
            -member.balance,
            customer_name=customer_name or "Customer",
            amount_cents=None,
            expiry_months=policy.months,
            last_activity_at=member.last_activity,
        )
        return at.propose(
            member,
            entry,
            lifetime_points=member.lifetime,
            min_old_balance=member.balance,
        )

    # The key names the date the points fell due: read before the first draft (the cached
    # membership), and the same for every retry of this run or any other.
    seen = ledger.read_member(customer_id, merchant_id, consistent=True)
    first = expiry.expiring(seen.balance, epoch_of(seen.last_activity), policy)
    if first is None or not first.due(now_s):
        return None
    try:
        return ledger.change_balance(
            None, merchant_id, _idempotency(merchant_id, customer_id, first.at_s), draft
        )
    except (_NothingDue, errors.IdempotentReplay):
        return None


def run(time_left_s: Callable[[], float], margin_s: float = 10.0) -> Run:
    """Expire what is due at every business with a policy, the longest idle first, until
    done or until `time_left_s()` falls under `margin_s` (the next run carries on: nothing
    is half done, each membership is its own transaction)."""
    report = Run()
    now_s = clock.now_s()
    cursor: str | None = None
    while True:
        policies, cursor = merchant_store.expiry_policies(PAGE, cursor)
        for listed in policies:
            report.businesses += 1
            if not _expire_business(
                str(listed["merchant_id"]), now_s, report, time_left_s, margin_s
            ):
                report.finished = False
                return report
        if not cursor:
            return report


def _expire_business(
    merchant_id: str,
    now_s: int,
    report: Run,
    time_left_s: Callable[[], float],
    margin_s: float,
) -> bool:
    """One business's due memberships, and a warning for those due within two weeks;
    False when time ran out. (Nothing is due in a policy's notice period: `expires_at`.)"""
    profile = merchant_store.get_profile(merchant_id, consistent=True)
    policy = expiry.policy_of(profile or {})
    if profile is None or policy is None:
        return True  # off (the list is only a hint)
    warn_s = config.EXPIRY_WARNING_SECONDS
    active_until = clock.iso(expiry.idle_cutoff(policy, now_s + warn_s))
    cursor: str | None = None
    while True:
        items, cursor = store.idle_members(merchant_id, active_until, PAGE, cursor)
        names = users.profiles([str(i["customer_id"]) for i in items])
        for item in items:
            if time_left_s() < margin_s:
                return False
            customer_id = str(item["customer_id"])
            due = expiry.expiring(
                int(item.get("balance") or 0), epoch_of(item.get("last_activity_at")), policy
            )
            if due is None:
                continue
            if not due.due(now_s):
                # Two weeks ahead, the customer hears of it once (reminders says whether:
                # their settings, one reminder a week, one warning per date).
                if due.at_s - now_s <= warn_s and reminders.expiry_warning(
                    customer_id,
                    merchant_id,
                    str(profile.get("name") or ""),
                    due.points,
                    due.at_s,
                    names.get(customer_id) or {},
                ):
                    report.warned += 1
                continue  # within the index's generous cutoff, not yet due
            name = str((names.get(customer_id) or {}).get("display_name") or "")
            written = expire_membership(merchant_id, customer_id, policy, name)
            if written is None:
                report.skipped += 1
            else:
                report.expired += 1
                report.points -= int(written["transaction"]["points"])
        if not cursor:
            return True

"""Earn, redeem, reverse: every balance change is one ledger entry in the same transaction.

Each operation builds the whole write from what it knows (warm cache or reads), sends it as
one TransactWriteItems, and on a refused guard refreshes what was stale and tries again.
The conditions, not the cache, decide: the balance never goes below zero (invariant 1) and
a membership's ledger always sums to its balance (invariant 2).
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backend import clock
from backend.dal import cache
from backend.dal import ledger as store
from backend.dal import merchants as merchant_store
from backend.logic import errors, ids
from backend.logic.idempotency import Idempotency
from loyalty import earning, tiers

MAX_ATTEMPTS = 50  # generous: 50 concurrent redemptions on one balance must all get an answer


def public_entry(item: dict[str, Any]) -> dict[str, Any]:
    """The API shape of a ledger entry."""
    return {
        "tx_id": item["tx_id"],
        "merchant_id": item["merchant_id"],
        "merchant_name": item.get("merchant_name", ""),
        "customer_id": item["customer_id"],
        "customer_name": item.get("customer_name", ""),
        "kind": item["kind"],
        "points": int(item["points"]),
        "amount_cents": item.get("amount_cents"),
        "reward_id": item.get("reward_id"),
        "reward_name": item.get("reward_name"),
        "reverses": item.get("reverses"),
        "reversed_by": item.get("reversed_by"),
        "balance_after": int(item["balance_after"]),
        "visit_id": item.get("visit_id"),
        "staff_id": item["staff_id"],
        "created_at": item["created_at"],
    }


def _backoff(attempt: int) -> None:
    # Small jitter so racing writers spread out instead of colliding again in lockstep.
    time.sleep(random.uniform(0, 0.002 * min(attempt, 10)))


def _merchant(
    merchant_id: str, fresh: bool = False, with_rewards: bool = True
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    loaded = merchant_store.load(merchant_id, fresh=fresh, with_rewards=with_rewards)
    if loaded is None:
        raise errors.NotFound()
    return loaded


def _open_visit(merchant_id: str, visit_id: str, now_s: int, fresh: bool) -> dict[str, Any]:
    visit = store.get_visit(merchant_id, visit_id, fresh=fresh)
    if visit is None:
        raise errors.NotFound()
    if int(visit["expires_at"]) <= now_s:
        raise errors.VisitExpired()
    return visit


def _refusal_for_non_staff(merchant_id: str, staff_id: str) -> None:
    """On an error path, make sure a stranger hears "forbidden", not a detail of the visit."""
    if merchant_store.get_staff(merchant_id, staff_id) is None:
        if merchant_store.get_profile(merchant_id) is None:
            raise errors.NotFound()
        raise errors.Forbidden()


def _staff_only(operation: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """The warm path checks staff inside the transaction; refusals raised before it check here."""

    @functools.wraps(operation)
    def checked(staff_id: str, merchant_id: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            return operation(staff_id, merchant_id, *args, **kwargs)
        except errors.DomainError as error:
            if not isinstance(error, errors.Forbidden):
                _refusal_for_non_staff(merchant_id, staff_id)
            raise

    return checked


@dataclass(frozen=True)
class Member:
    """A membership as read; a customer new to the business has zeros and no version yet."""

    balance: int = 0
    lifetime: int = 0
    version: int | None = None


def read_member(customer_id: str, merchant_id: str, consistent: bool) -> Member:
    """A customer's balance, lifetime points and version at one business."""
    item = store.membership(customer_id, merchant_id, consistent=consistent)
    if item is None:
        return Member()
    return Member(int(item["balance"]), int(item["lifetime_points"]), int(item["version"]))


@dataclass(frozen=True)
class _Draft:
    """One attempt at a balance change, as drafted from what it read: who, for whom, when."""

    staff_id: str
    merchant_id: str
    customer_id: str
    profile: dict[str, Any]
    member: Member
    now_s: int
    now_iso: str

    def entry(
        self, kind: str, points: int, *, customer_name: str, visit_id: str | None, **details: Any
    ) -> dict[str, Any]:
        """A new ledger entry moving `points` from the balance as read; `details` by kind."""
        return {
            "tx_id": ids.new_id("t"),
            "merchant_id": self.merchant_id,
            "merchant_name": self.profile["name"],
            "customer_id": self.customer_id,
            "customer_name": customer_name,
            "kind": kind,
            "points": points,
            **details,
            "balance_after": self.member.balance + points,
            "visit_id": visit_id,
            "staff_id": self.staff_id,
            "created_at": self.now_iso,
        }

    def change(
        self,
        entry: dict[str, Any],
        body: dict[str, Any],
        idem: Idempotency,
        *,
        lifetime_points: int,
        min_old_balance: int | None,
        **guards: Any,
    ) -> store.BalanceChange:
        """The one transaction writing `entry`, its balance, and `body` as the key's answer."""
        return store.BalanceChange(
            staff_id=self.staff_id,
            merchant_id=self.merchant_id,
            customer_id=self.customer_id,
            now_s=self.now_s,
            now_iso=self.now_iso,
            expected_version=self.member.version,
            lifetime_points=lifetime_points,
            min_old_balance=min_old_balance,
            merchant_fields={
                "merchant_name": self.profile["name"],
                "category": self.profile["category"],
                "currency": self.profile.get("currency", "EUR"),
            },
            entry=entry,
            idempotency=idem.record(201, body, self.now_s),
            **guards,
        )


def _refresh(
    refused: store.ChangeRefused, customer_id: str, merchant_id: str, visit_id: str | None
) -> None:
    """Put what DynamoDB says is true (ALL_OLD) into the warm cache before the next attempt."""
    if refused.part == "membership":
        cache.put_membership(customer_id, merchant_id, refused.item)
    elif refused.part == "visit" and visit_id:
        if refused.item:
            cache.put_visit(refused.item)
        else:
            cache.forget_visit(merchant_id, visit_id)
    elif refused.part in ("settings", "reward"):
        cache.forget_merchant(merchant_id)


def _commit_or_signal(change: store.BalanceChange) -> store.ChangeRefused | None:
    """Commit; a replayed key or a refused authorization ends the loop at once."""
    try:
        store.commit(change)
    except store.ChangeRefused as refused:
        if refused.part == "idempotency":
            raise errors.IdempotentReplay(refused.item or {}) from refused
        if refused.part == "staff":
            raise errors.Forbidden() from refused
        return refused
    return None


@_staff_only
def earn(
    staff_id: str, merchant_id: str, visit_id: str, amount_cents: int, idem: Idempotency
) -> dict[str, Any]:
    """Award points for a purchase in an open visit (one earn per visit)."""
    fresh = False
    for attempt in range(MAX_ATTEMPTS):
        now_s, now_iso = clock.now_s(), clock.iso()
        if not fresh:
            store.prefetch(merchant_id, visit_id)
        profile, _ = _merchant(merchant_id, fresh, with_rewards=False)
        visit = _open_visit(merchant_id, visit_id, now_s, fresh)
        if visit.get("earned"):
            raise errors.VisitAlreadyEarned()
        customer_id = visit["customer_id"]
        member = read_member(customer_id, merchant_id, consistent=fresh)
        tier = tiers.tier_for(member.lifetime, profile["tiers"])
        try:
            points = earning.points_for_purchase(
                amount_cents, profile["earning_rule"], tier["multiplier_pct"]
            )
        except earning.BelowMinimum:
            raise errors.BelowMinimumPurchase() from None
        draft = _Draft(staff_id, merchant_id, customer_id, profile, member, now_s, now_iso)
        entry = draft.entry(
            "earn",
            points,
            customer_name=visit.get("customer_name", ""),
            visit_id=visit_id,
            amount_cents=amount_cents,
        )
        new_lifetime = member.lifetime + points
        body = {
            "transaction": public_entry(entry),
            "balance": entry["balance_after"],
            "tier": tiers.tier_for(new_lifetime, profile["tiers"]),
        }
        change = draft.change(
            entry,
            body,
            idem,
            lifetime_points=new_lifetime,
            min_old_balance=None,
            settings_version=int(profile["settings_version"]),
            visit_id=visit_id,
            visit_must_not_be_earned=True,
        )
        refused = _commit_or_signal(change)
        if refused is None:
            return body
        _refresh(refused, customer_id, merchant_id, visit_id)
        fresh = refused.part == "conflict"
        if fresh:
            _backoff(attempt)
    raise errors.Conflict("The balance is changing too fast; try again.")


@_staff_only
def redeem(
    staff_id: str,
    merchant_id: str,
    visit_id: str,
    reward_id: str | None,
    points: int | None,
    idem: Idempotency,
) -> dict[str, Any]:
    """Spend points in an open visit: a reward (at its cost) or a number of points."""
    fresh = False
    checked_balance = False  # a cached balance that looks too low is re-read once before refusing
    for attempt in range(MAX_ATTEMPTS):
        now_s, now_iso = clock.now_s(), clock.iso()
        if not fresh:
            store.prefetch(merchant_id, visit_id)
        profile, rewards = _merchant(merchant_id, fresh, with_rewards=reward_id is not None)
        visit = _open_visit(merchant_id, visit_id, now_s, fresh)
        customer_id = visit["customer_id"]
        reward = None
        if reward_id is not None:
            reward = next((r for r in rewards if r["reward_id"] == reward_id), None)
            if reward is None or not reward.get("active", True):
                if not fresh:
                    fresh = True
                    continue
                if reward is None:
                    raise errors.NotFound("No such reward at this business.")
                raise errors.RewardRetired()
            cost = int(reward["cost_points"])
        else:
            cost = int(points or 0)
        member = read_member(customer_id, merchant_id, consistent=fresh)
        if member.balance < cost:
            if not checked_balance:
                checked_balance = fresh = True
                continue
            raise errors.InsufficientPoints()
        draft = _Draft(staff_id, merchant_id, customer_id, profile, member, now_s, now_iso)
        entry = draft.entry(
            "redeem",
            -cost,
            customer_name=visit.get("customer_name", ""),
            visit_id=visit_id,
            amount_cents=None,
            reward_id=reward_id,
            reward_name=reward["name"] if reward else None,
        )
        body = {
            "transaction": public_entry(entry),
            "balance": entry["balance_after"],
            "tier": tiers.tier_for(member.lifetime, profile["tiers"]),
        }
        change = draft.change(
            entry,
            body,
            idem,
            lifetime_points=member.lifetime,
            min_old_balance=cost,
            visit_id=visit_id,
            reward=(reward_id, cost) if reward_id else None,
        )
        refused = _commit_or_signal(change)
        if refused is None:
            return body
        _refresh(refused, customer_id, merchant_id, visit_id)
        if refused.part == "membership" and refused.item is not None:
            checked_balance = True  # ALL_OLD is the current item: its balance is the truth
        fresh = refused.part in ("conflict", "reward")
        if refused.part in ("conflict", "membership"):
            _backoff(attempt)
    raise errors.Conflict("The balance is changing too fast; try again.")


@_staff_only
def reverse(
    staff_id: str, merchant_id: str, tx_id: str, reason: str | None, idem: Idempotency
) -> dict[str, Any]:
    """Refund: an opposite entry; at most once, never below zero, never a reversal itself."""
    original = store.get_entry(merchant_id, tx_id)
    if original is None:
        raise errors.NotFound()
    if original["kind"] == "reversal":
        raise errors.NotReversible()
    if original.get("reversed_by"):
        raise errors.AlreadyReversed()
    customer_id = original["customer_id"]
    delta = -int(original["points"])  # earn +P -> -P; redeem -P -> +P
    fresh = False
    for attempt in range(MAX_ATTEMPTS):
        now_s, now_iso = clock.now_s(), clock.iso()
        profile, _ = _merchant(merchant_id, with_rewards=False)
        member = read_member(customer_id, merchant_id, consistent=fresh)
        if member.balance + delta < 0:
            if not fresh:
                fresh = True
                continue
            raise errors.PointsAlreadySpent()
        lifetime = member.lifetime + delta if original["kind"] == "earn" else member.lifetime
        draft = _Draft(staff_id, merchant_id, customer_id, profile, member, now_s, now_iso)
        entry = draft.entry(
            "reversal",
            delta,
            customer_name=original.get("customer_name", ""),
            visit_id=None,
            amount_cents=original.get("amount_cents"),
            reward_id=original.get("reward_id"),
            reward_name=original.get("reward_name"),
            reverses=tx_id,
            reason=reason or "",
        )
        body = {"transaction": public_entry(entry), "balance": entry["balance_after"]}
        change = draft.change(
            entry,
            body,
            idem,
            lifetime_points=max(lifetime, 0),
            min_old_balance=-delta if delta < 0 else None,
            reverses_tx_id=tx_id,
        )
        refused = _commit_or_signal(change)
        if refused is None:
            return body
        if refused.part == "original":
            raise errors.AlreadyReversed()
        _refresh(refused, customer_id, merchant_id, None)
        fresh = True
        _backoff(attempt)
    raise errors.Conflict("The balance is changing too fast; try again.")

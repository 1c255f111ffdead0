"""Balance changes: every one is one ledger entry in the same transaction as the balance.

One driver, `change_balance`, runs every kind: it gives the operation an `Attempt` (what it
reads, from the warm cache or fresh, and when), takes back the drafted `Proposal`, sends it
as one TransactWriteItems (dal.ledger.commit), and on a refused guard refreshes what was
stale and drafts again. An operation (earn, redeem, the stamp card's reward, reverse and an account's
closure here; an owner's adjustment in `adjustments`, a receipt's claim in `claims`, an expiry in
`expiry`) says only how to draft its change from what it reads and what each refusal
means. The conditions, not the cache, decide: the balance and the stamps never go below
zero (invariant 1) and a membership's ledger always sums to its balance and its stamps
(invariant 2).
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from backend import clock
from backend.dal import cache
from backend.dal import ledger as store
from backend.dal import merchants as merchant_store
from backend.dal import staff as staff_store
from backend.logic import access, errors, ids
from backend.logic.idempotency import Idempotency
from loyalty import catalog, earning, expiry, staff_limits, stamps, tiers
from loyalty.money import format_cents

MAX_ATTEMPTS = 50  # generous: 50 concurrent redemptions on one balance must all get an answer

# Refused guards whose failure returns nothing true to refresh the cache with: the next
# attempt reads around the cache (consistent reads).
_READ_FRESH_AFTER = ("conflict", "settings", "reward")
# Refused guards that mean another writer got there first: spread out before trying again.
_BACK_OFF_AFTER = ("conflict", "membership")


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
        "reason": item.get("reason") or None,
        "note": item.get("note") or None,
        "claim_id": item.get("claim_id"),
        "balance_after": int(item["balance_after"]),
        "stamps": int(item.get("stamps") or 0),
        "stamps_after": int(item.get("stamps_after") or 0),
        "stamps_needed": item.get("stamps_needed"),
        "promotion_id": item.get("promotion_id"),
        "promotion_name": item.get("promotion_name"),
        "promotion_kind": item.get("promotion_kind"),
        "promotion_points": int(item.get("promotion_points") or 0),
        "visit_id": item.get("visit_id"),
        "staff_id": item.get("staff_id"),  # none for a closure or an expiry
        # The customer also works at this business (as of the scan): owners watch these.
        "customer_is_staff": bool(item.get("customer_is_staff", False)),
        "disputed_at": item.get("disputed_at"),
        "dispute_reason": item.get("dispute_reason"),
        "created_at": item["created_at"],
    }


@dataclasses.dataclass(frozen=True)
class Member:
    """A membership as read; a customer new to the business has zeros and no version yet.

    `known`: read consistently, or the item a refused condition returned, so a refusal
    resting on it needs no second look. `closed`: the customer deleted their account.
    """

    customer_id: str
    balance: int = 0
    lifetime: int = 0
    version: int | None = None
    known: bool = False
    closed: bool = False
    stamps: int = 0
    last_activity: str | None = None  # ISO time of the last earn, redemption, claim or adjustment

    @property
    def new(self) -> bool:
        """No membership yet: the customer never earned here (a welcome bonus's "first
        visit"; the transaction's `attribute_not_exists` makes that race-safe)."""
        return self.version is None


def read_member(customer_id: str, merchant_id: str, consistent: bool) -> Member:
    """A customer's balance, stamps, lifetime points and version at one business."""
    item = store.membership(customer_id, merchant_id, consistent=consistent)
    if item is None:
        return Member(customer_id, known=consistent)
    return Member(
        customer_id,
        int(item["balance"]),
        int(item["lifetime_points"]),
        int(item["version"]),
        known=consistent,
        closed=bool(item.get("closed_at")),
        stamps=int(item.get("stamps") or 0),
        last_activity=item.get("last_activity_at"),
    )


# ------------------------------------------------------------------ the driver


class _ReadAgain(Exception):
    """A refusal drafted from the warm cache: read fresh and draft once more before refusing."""


@dataclasses.dataclass(frozen=True)
class Proposal:
    """One attempt's whole write, and the answer it gives (remembered in the same write)."""

    change: store.BalanceChange
    body: dict[str, Any]


class Attempt:
    """One try at a balance change: who, where, when, and what it reads.

    Reads come from the warm cache unless `fresh` (after a refusal that returned nothing
    true); the transaction's conditions catch whatever the cache had wrong.
    """

    def __init__(
        self,
        staff_id: str | None,
        merchant_id: str,
        visit_id: str | None,
        idem: Idempotency | None,
        *,
        role: store.RoleCheck | None,
        fresh: bool,
        member_known: bool,
    ) -> None:
        self.staff_id, self.merchant_id, self.visit_id = staff_id, merchant_id, visit_id
        self.idem, self.role, self.fresh, self._member_known = idem, role, fresh, member_known
        self.now_s, self.now_iso = clock.now_s(), clock.iso()
        self._business: tuple[dict[str, Any], list[dict[str, Any]]] | None = None
        self._with_rewards = False

    def refuse(self, error: errors.DomainError, *, known: bool = False) -> NoReturn:
        """Refuse, if what the refusal rests on is known true (`known`, or a fresh read);
        else read everything fresh and draft again first."""
        if known or self.fresh:
            raise error
        raise _ReadAgain() from error

    def _load(self, with_rewards: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The business, read once per attempt (its rewards only if the change needs them)."""
        if self._business is None or (with_rewards and not self._with_rewards):
            loaded = merchant_store.load(
                self.merchant_id, fresh=self.fresh, with_rewards=with_rewards
            )
            if loaded is None:
                self.refuse(errors.NotFound())
            self._business, self._with_rewards = loaded, with_rewards
        return self._business

    @property
    def profile(self) -> dict[str, Any]:
        """The business's profile (name, earning rule, tiers, settings version)."""
        return self._load(with_rewards=False)[0]

    @property
    def rewards(self) -> list[dict[str, Any]]:
        """All the business's rewards, retired ones included."""
        return self._load(with_rewards=True)[1]

    @property
    def is_owner(self) -> bool:
        """Whether the one acting for the business owns it (the owner's own awards are never
        limited). A caller who does not work there is refused; a receipt's issuer who left
        since is simply not the owner."""
        role = staff_store.staff_role(self.merchant_id, str(self.staff_id))
        if role is None and self.role is not None and self.role.user_id == self.staff_id:
            raise errors.Forbidden()
        return role == "owner"

    def staff_award(self, points: int, amount_cents: int | None = None) -> dict[str, Any]:
        """The guard on points a staff member (not the owner) puts into a balance: within the
        owner's largest purchase and daily cap. Guards for `propose`; none for the owner."""
        if self.is_owner:
            return {}
        limits = staff_limits.of(self.profile.get("staff_limits"))
        if amount_cents is not None and not staff_limits.may_award(amount_cents, limits):
            self.refuse(needs_owner(self.profile, limits))
        if points > limits["daily_points"]:
            self.refuse(errors.StaffDailyCap())
        return {
            "staff_day": store.StaffDay(
                str(self.staff_id), clock.iso(self.now_s)[:10], points, limits["daily_points"]
            ),
            "settings_version": int(self.profile["settings_version"]),
        }

    def open_visit(self) -> dict[str, Any]:
        """The visit this change happens in; refused if unknown or expired."""
        visit = store.get_visit(self.merchant_id, str(self.visit_id), fresh=self.fresh)
        if visit is None:
            self.refuse(errors.NotFound())
        if int(visit["expires_at"]) <= self.now_s:
            raise errors.VisitExpired()
        return visit

    def member(self, customer_id: str) -> Member:
        """The customer's membership here, as this attempt reads it."""
        member = read_member(customer_id, self.merchant_id, consistent=self.fresh)
        return dataclasses.replace(member, known=member.known or self._member_known)

    def entry(
        self,
        member: Member,
        kind: str,
        points: int,
        *,
        customer_name: str,
        stamps: int = 0,
        **details: Any,
    ) -> dict[str, Any]:
        """A new ledger entry moving `points` (and `stamps`) from the membership as read;
        `details` by kind."""
        return {
            "tx_id": ids.new_id("t"),
            "merchant_id": self.merchant_id,
            "merchant_name": self.profile["name"],
            "customer_id": member.customer_id,
            "customer_name": customer_name,
            "kind": kind,
            "points": points,
            "stamps": stamps,
            **details,
            "balance_after": member.balance + points,
            "stamps_after": member.stamps + stamps,
            "visit_id": self.visit_id,
            "staff_id": self.staff_id,
            "created_at": self.now_iso,
        }

    def propose(
        self,
        member: Member,
        entry: dict[str, Any],
        *,
        lifetime_points: int,
        min_old_balance: int | None = None,
        answer: Mapping[str, Any] | None = None,
        closes: bool = False,
        **guards: Any,
    ) -> Proposal:
        """The one transaction writing `entry` and its balance; the response body is the
        entry and the new balance, plus `answer`. `guards` are BalanceChange's by kind.

        A closed membership takes no change of any kind (its closure was the last entry).
        """
        if member.closed:
            self.refuse(errors.AccountClosed(), known=member.known)
        body = {
            "transaction": public_entry(entry),
            "balance": entry["balance_after"],
            "stamps": entry["stamps_after"],
            **(answer or {}),
        }
        # The expiry clock restarts when the customer is active here (loyalty.expiry).
        active = expiry.is_activity(entry["kind"])
        change = store.BalanceChange(
            role=self.role,
            merchant_id=self.merchant_id,
            customer_id=member.customer_id,
            now_s=self.now_s,
            now_iso=self.now_iso,
            expected_version=member.version,
            lifetime_points=lifetime_points,
            min_old_balance=min_old_balance,
            merchant_fields={
                "merchant_name": self.profile["name"],
                "category": self.profile["category"],
                "currency": self.profile.get("currency", "EUR"),
            },
            entry=entry,
            idempotency=self.idem.record(201, body, self.now_s) if self.idem else None,
            closes=closes,
            visit_id=self.visit_id,
            last_activity_at=self.now_iso if active else member.last_activity,
            **guards,
        )
        return Proposal(change, body)


def _refresh(refused: store.ChangeRefused, change: store.BalanceChange) -> None:
    """Put what DynamoDB says is true (ALL_OLD) into the warm cache before the next attempt."""
    if refused.part == "membership":
        cache.put_membership(change.customer_id, change.merchant_id, refused.item)
    elif refused.part == "visit" and change.visit_id:
        if refused.item:
            cache.put_visit(refused.item)
        else:
            cache.forget_visit(change.merchant_id, change.visit_id)
    elif refused.part in ("settings", "reward"):
        cache.forget_merchant(change.merchant_id)


def needs_owner(profile: Mapping[str, Any], limits: Mapping[str, int]) -> errors.NeedsOwner:
    """The refusal of a purchase above what staff may award here (`loyalty.staff_limits`)."""
    largest = format_cents(limits["max_purchase_cents"])
    return errors.NeedsOwner(
        f"Staff may award points for purchases up to {largest} {profile.get('currency', '')}."
        " Ask the owner to award this one."
    )


def _role_refusal(role: store.RoleCheck, item: dict[str, Any] | None) -> errors.DomainError:
    """What a failed role check means: a stranger, staff asking for the owner's action, or a
    customer who works at the business claiming its receipt."""
    if role.must_be == "outsider":
        return errors.OwnClaim()
    if role.must_be == "owner" and item is not None:
        return errors.OwnerOnly()
    return errors.Forbidden()


def _backoff(attempt: int) -> None:
    # Small jitter so racing writers spread out instead of colliding again in lockstep.
    time.sleep(random.uniform(0, 0.002 * min(attempt, 10)))


def change_balance(
    staff_id: str | None,
    merchant_id: str,
    idem: Idempotency | None,
    draft: Callable[[Attempt], Proposal],
    *,
    visit_id: str | None = None,
    refusals: Mapping[str, type[errors.DomainError]] | None = None,
    role: store.RoleCheck | None = None,
) -> dict[str, Any]:
    """Draft, commit in one round trip, and on a refused guard refresh and draft again.

    `staff_id` is who acts for the business (on the entry; None for nobody: an expiry).
    `role` is whose role the transaction checks; by default `staff_id` must work there.
    `draft` raises the operation's refusals; `refusals` says which refused guards end the
    change with which error (a replayed key, a failed role check and a customer whose
    account is gone always do). `idem` None: the change is idempotent by itself.
    """
    if role is None and staff_id is not None:
        role = store.RoleCheck(staff_id, "staff")
    fresh = member_known = False
    for attempt in range(MAX_ATTEMPTS):
        if visit_id and not fresh:
            # A container that did not open this visit reads it, the business and the
            # caller's role together.
            store.prefetch(merchant_id, visit_id, str(staff_id))
        at = Attempt(
            staff_id,
            merchant_id,
            visit_id,
            idem,
            role=role,
            fresh=fresh,
            member_known=member_known,
        )
        try:
            proposal = draft(at)
        except _ReadAgain:
            fresh = True
            continue
        try:
            store.commit(proposal.change)
        except store.ChangeRefused as refused:
            if refused.part == "idempotency":
                raise errors.IdempotentReplay(refused.item or {}) from refused
            if refused.part == "role" and role is not None:
                raise _role_refusal(role, refused.item) from refused
            if refused.part == "customer":
                raise errors.AccountClosed() from refused
            if refusals and refused.part in refusals:
                raise refusals[refused.part]() from refused
            _refresh(refused, proposal.change)
            fresh = refused.part in _READ_FRESH_AFTER
            # ALL_OLD is the membership as it is: a balance too low in it is the truth.
            member_known |= refused.part == "membership" and refused.item is not None
            if refused.part in _BACK_OFF_AFTER:
                _backoff(attempt)
            continue
        return proposal.body
    raise errors.ConcurrentChange()


# ------------------------------------------------------------------ earn, redeem, reverse


def draft_purchase(
    at: Attempt,
    member: Member,
    amount_cents: int,
    *,
    customer_name: str,
    details: Mapping[str, Any] | None = None,
    **guards: Any,
) -> Proposal:
    """What a purchase of `amount_cents` earns this customer now, as the one transaction
    writing it: at the till (`earn`) or from a receipt's code (`claims`), the same rules.

    It is `loyalty.earning.for_purchase` at this moment on the business's clock: the rule,
    the tier (from lifetime points before the purchase), the best promotion in force, the
    stamp card; refused under the minimum purchase. The settings check makes a rule,
    promotion or card changed meanwhile refuse the draft (refresh, draft again), and the
    membership's `attribute_not_exists` makes a welcome bonus go to one purchase only.
    """
    profile = at.profile
    tier = tiers.tier_for(member.lifetime, profile["tiers"])
    card = profile.get("stamp_card")
    try:
        earned = earning.for_purchase(
            amount_cents,
            profile["earning_rule"],
            tier["multiplier_pct"],
            at_s=at.now_s,
            time_zone=profile.get("time_zone") or catalog.DEFAULT_TIME_ZONE,
            offers=profile.get("promotions") or [],
            stamp_card=card,
            first_visit=member.new,
        )
    except earning.BelowMinimum:
        raise errors.BelowMinimumPurchase() from None
    promotion = earned.promotion or {}
    # Within the owner's staff limits: the till's staff member, or the receipt's issuer.
    guards = {
        "settings_version": int(profile["settings_version"]),
        **at.staff_award(earned.points, amount_cents),
        **guards,
    }
    entry = at.entry(
        member,
        "earn",
        earned.points,
        customer_name=customer_name,
        stamps=earned.stamps,
        stamps_needed=int(card["stamps_needed"]) if earned.stamps else None,
        amount_cents=amount_cents,
        promotion_id=promotion.get("promotion_id"),
        promotion_name=promotion.get("name"),
        promotion_kind=promotion.get("kind"),
        promotion_points=earned.promotion_points,
        **(details or {}),
    )
    lifetime = member.lifetime + earned.points
    return at.propose(
        member,
        entry,
        lifetime_points=lifetime,
        answer={"tier": tiers.tier_for(lifetime, profile["tiers"])},
        **guards,
    )


@access.staff_only
def earn(
    staff_id: str, merchant_id: str, visit_id: str, amount_cents: int, idem: Idempotency
) -> dict[str, Any]:
    """Award points (and a stamp) for a purchase in an open visit (one earn per visit):
    `draft_purchase`, in the visit."""

    def draft(at: Attempt) -> Proposal:
        visit = at.open_visit()
        if visit.get("earned"):  # only ever turns true, so the cache may say so
            raise errors.VisitAlreadyEarned()
        member = at.member(visit["customer_id"])
        return draft_purchase(
            at,
            member,
            amount_cents,
            customer_name=visit.get("customer_name", ""),
            details={"customer_is_staff": bool(visit.get("customer_is_staff", False))},
            visit_must_not_be_earned=True,
        )

    return change_balance(
        staff_id,
        merchant_id,
        idem,
        draft,
        visit_id=visit_id,
        refusals={"staff_day": errors.StaffDailyCap},
    )


def _redemptions_open(at: Attempt, visit: dict[str, Any]) -> None:
    """Redemptions only in the first minutes after the scan (config.REDEEM_WINDOW_SECONDS):
    the customer who showed their code is at the till; later, scan them again."""
    if int(visit.get("redeem_until", 0)) <= at.now_s:  # fixed when the visit opened
        raise errors.RedemptionWindowClosed()


@access.staff_only
def redeem(
    staff_id: str,
    merchant_id: str,
    visit_id: str,
    reward_id: str | None,
    points: int | None,
    idem: Idempotency,
) -> dict[str, Any]:
    """Spend points in an open visit: a reward (at its cost, if the customer's tier may have
    it) or a number of points."""

    def draft(at: Attempt) -> Proposal:
        visit = at.open_visit()
        _redemptions_open(at, visit)
        reward = None
        if reward_id is not None:
            reward = next((r for r in at.rewards if r["reward_id"] == reward_id), None)
            if reward is None:
                at.refuse(errors.NotFound("No such reward at this business."))
            if not reward.get("active", True):
                at.refuse(errors.RewardRetired())
            cost = int(reward["cost_points"])
        else:
            cost = int(points or 0)
        member = at.member(visit["customer_id"])
        min_tier = reward.get("min_tier") if reward else None
        if min_tier and not tiers.reaches(member.lifetime, min_tier, at.profile["tiers"]):
            at.refuse(errors.TierRequired(f"This reward is for {min_tier} members only."))
        if member.balance < cost:
            at.refuse(errors.InsufficientPoints(), known=member.known)
        entry = at.entry(
            member,
            "redeem",
            -cost,
            customer_name=visit.get("customer_name", ""),
            amount_cents=None,
            reward_id=reward_id,
            reward_name=reward["name"] if reward else None,
        )
        return at.propose(
            member,
            entry,
            lifetime_points=member.lifetime,
            min_old_balance=cost,
            answer={"tier": tiers.tier_for(member.lifetime, at.profile["tiers"])},
            reward=store.RewardTerms(reward_id, cost, min_tier) if reward_id else None,
            visit_redemptions_open=True,
            # A tier's threshold is a setting: a gated reward is given under today's tiers.
            settings_version=int(at.profile["settings_version"]) if min_tier else None,
        )

    return change_balance(staff_id, merchant_id, idem, draft, visit_id=visit_id)


@access.staff_only
def redeem_stamp_card(
    staff_id: str, merchant_id: str, visit_id: str, idem: Idempotency
) -> dict[str, Any]:
    """Give the stamp card's free reward in an open visit: a full card's stamps come off
    (the card restarts; stamps beyond it stay for the next one)."""

    def draft(at: Attempt) -> Proposal:
        visit = at.open_visit()
        _redemptions_open(at, visit)
        card = at.profile.get("stamp_card")
        if not stamps.running(card):
            at.refuse(errors.NoStampCard())
        needed = int(card["stamps_needed"])
        member = at.member(visit["customer_id"])
        if member.stamps < needed:
            at.refuse(errors.StampCardNotFull(), known=member.known)
        entry = at.entry(
            member,
            "stamp_redeem",
            0,
            customer_name=visit.get("customer_name", ""),
            stamps=-needed,
            stamps_needed=needed,
            amount_cents=None,
            reward_id=None,
            reward_name=card["reward_name"],
        )
        return at.propose(
            member,
            entry,
            lifetime_points=member.lifetime,
            min_old_stamps=needed,
            answer={"tier": tiers.tier_for(member.lifetime, at.profile["tiers"])},
            # The card's size is a setting: a card changed meanwhile is drafted again.
            settings_version=int(at.profile["settings_version"]),
            visit_redemptions_open=True,
        )

    return change_balance(staff_id, merchant_id, idem, draft, visit_id=visit_id)


@access.staff_only
def reverse(
    staff_id: str, merchant_id: str, tx_id: str, reason: str | None, idem: Idempotency
) -> dict[str, Any]:
    """Refund: an opposite entry; at most once, never below zero, never a reversal itself."""
    # The original is read before any transaction: check the caller first, so a stranger
    # costs one read and learns nothing about the business's ledger.
    access.require_staff(merchant_id, staff_id)
    original = store.get_entry(merchant_id, tx_id)
    if original is None:
        raise errors.NotFound()
    if original["kind"] == "reversal":
        raise errors.NotReversible()
    if original.get("reversed_by"):
        raise errors.AlreadyReversed()
    delta = -int(original["points"])  # earn +P -> -P; redeem -P -> +P
    stamp_delta = -int(original.get("stamps") or 0)  # a purchase's stamp back; a card's given back

    def draft(at: Attempt) -> Proposal:
        member = at.member(original["customer_id"])
        if member.balance + delta < 0:
            at.refuse(errors.PointsAlreadySpent(), known=member.known)
        if member.stamps + stamp_delta < 0:
            at.refuse(errors.StampsAlreadySpent(), known=member.known)
        lifetime = member.lifetime + delta if original["kind"] == "earn" else member.lifetime
        entry = at.entry(
            member,
            "reversal",
            delta,
            customer_name=original.get("customer_name", ""),
            stamps=stamp_delta,
            stamps_needed=original.get("stamps_needed"),
            amount_cents=original.get("amount_cents"),
            reward_id=original.get("reward_id"),
            reward_name=original.get("reward_name"),
            # A refunded purchase takes back what its promotion added (the figures count it).
            promotion_id=original.get("promotion_id"),
            promotion_name=original.get("promotion_name"),
            promotion_kind=original.get("promotion_kind"),
            promotion_points=-int(original.get("promotion_points") or 0),
            reverses=tx_id,
            reason=reason or "",
            customer_is_staff=bool(original.get("customer_is_staff", False)),
        )
        # Giving back a redemption puts points into a balance: the staff cap counts it.
        limited = at.staff_award(delta) if delta > 0 else {}
        return at.propose(
            member,
            entry,
            lifetime_points=max(lifetime, 0),
            min_old_balance=-delta if delta < 0 else None,
            min_old_stamps=-stamp_delta if stamp_delta < 0 else None,
            reverses_tx_id=tx_id,
            **limited,
        )

    return change_balance(
        staff_id,
        merchant_id,
        idem,
        draft,
        refusals={"original": errors.AlreadyReversed, "staff_day": errors.StaffDailyCap},
    )


# ------------------------------------------------------------------ an account's closure

DELETED_CUSTOMER = "Deleted customer"


def close_membership(customer_id: str, merchant_id: str) -> dict[str, Any] | None:
    """Close a deleted customer's membership: one `closure` entry takes the balance and the
    stamps to 0 and marks the membership closed, so the business's books still add up and
    nothing changes it again. None if it was closed already (a retried deletion)."""

    def draft(at: Attempt) -> Proposal:
        member = at.member(customer_id)
        entry = at.entry(
            member,
            "closure",
            -member.balance,
            customer_name=DELETED_CUSTOMER,
            stamps=-member.stamps,
        )
        return at.propose(member, entry, lifetime_points=member.lifetime, closes=True)

    try:
        return change_balance(None, merchant_id, None, draft)
    except errors.AccountClosed:
        return None

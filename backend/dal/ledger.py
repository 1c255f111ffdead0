"""Memberships, ledger entries, visits, QR-token markers, short codes, idempotency records,
and the one TransactWriteItems that changes a balance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import ClientError

from backend.dal import cache, keys
from backend.dal import dynamodb as db

# ------------------------------------------------------------------ memberships


def membership(
    customer_id: str, merchant_id: str, *, consistent: bool = False
) -> dict[str, Any] | None:
    """A customer's membership at a business (cached; a fresh read when asked)."""
    if not consistent:
        hit = cache.membership(customer_id, merchant_id)
        if hit is not cache.MISSING:
            return hit
    item = db.get(keys.user(customer_id), keys.member(merchant_id), consistent=consistent)
    cache.put_membership(customer_id, merchant_id, item)
    return item


def memberships(customer_id: str, *, consistent: bool = False) -> list[dict[str, Any]]:
    """All of a customer's memberships (closed ones too)."""
    items, _ = db.query(
        ("pk", keys.user(customer_id)), sort_prefix="MEMBER#", consistent=consistent
    )
    return items


def merchant_members(
    merchant_id: str, limit: int, cursor: str | None, keep: Any = None, list_tag: str = ""
) -> tuple[list[dict[str, Any]], str | None]:
    """A business's memberships, by customer id (a stable order for paging an export)."""
    return db.query(
        ("gsi1pk", keys.members(merchant_id)),
        index="gsi1",
        limit=limit,
        cursor=cursor,
        keep=keep,
        list_tag=list_tag,
    )


def idle_members(
    merchant_id: str, active_until: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """A business's memberships holding points whose last activity was at `active_until` or
    before (ISO), the longest idle first: what the expiry job reads."""
    return db.query(
        ("gsi2pk", keys.idle(merchant_id)),
        index="gsi2",
        sort_between=("0", keys.idle_sort(active_until, "~")),
        limit=limit,
        cursor=cursor,
        list_tag=active_until,
    )


# ------------------------------------------------------------------ ledger entries


def entry_item(entry: dict[str, Any]) -> dict[str, Any]:
    """A ledger entry with its keys: by business (table), by customer (gsi1), both (gsi2)."""
    sort = keys.tx(entry["tx_id"])
    return {
        "pk": keys.merchant(entry["merchant_id"]),
        "sk": sort,
        "gsi1pk": keys.customer(entry["customer_id"]),
        "gsi1sk": sort,
        "gsi2pk": keys.customer_at(entry["customer_id"], entry["merchant_id"]),
        "gsi2sk": sort,
        **entry,
    }


def get_entry(merchant_id: str, tx_id: str) -> dict[str, Any] | None:
    return db.get(keys.merchant(merchant_id), keys.tx(tx_id), consistent=True)


def mark_disputed(
    merchant_id: str, tx_id: str, customer_id: str, at: str, reason: str
) -> dict[str, Any] | None:
    """Mark the customer's entry as disputed, once; None if it already was (or is not theirs)."""
    try:
        return db.update(
            keys.merchant(merchant_id),
            keys.tx(tx_id),
            "SET disputed_at = :at, dispute_reason = :why",
            {":at": at, ":why": reason, ":c": customer_id},
            condition="customer_id = :c AND attribute_not_exists(disputed_at)",
        )
    except ClientError as error:
        if db.is_condition_failure(error):
            return None
        raise


def customer_entries(
    customer_id: str, merchant_id: str | None, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """A customer's entries, newest first (all businesses, or one)."""
    if merchant_id:
        partition, index = ("gsi2pk", keys.customer_at(customer_id, merchant_id)), "gsi2"
    else:
        partition, index = ("gsi1pk", keys.customer(customer_id)), "gsi1"
    return db.query(partition, index=index, newest_first=True, limit=limit, cursor=cursor)


def rename_customer(entries: list[dict[str, Any]], name: str) -> None:
    """Write `name` as the customer's name on these entries, and delete the visits they
    happened in (a visit item holds the name too): a batch per transaction, so each batch
    renames its entries and deletes their visits together.

    Only for a closed account: nothing else writes these entries any more (a reversal needs
    the open membership), so a plain SET cannot race another writer.
    """
    batch_size = 50  # 50 entries + at most 50 visits: DynamoDB's 100 actions per transaction
    for start in range(0, len(entries), batch_size):
        batch = entries[start : start + batch_size]
        actions: list[dict[str, Any]] = [
            {
                "Update": {
                    "Key": db.key(keys.merchant(e["merchant_id"]), keys.tx(e["tx_id"])),
                    "UpdateExpression": "SET customer_name = :n",
                    "ExpressionAttributeValues": {":n": name},
                }
            }
            for e in batch
        ]
        visits = {(e["merchant_id"], e["visit_id"]) for e in batch if e.get("visit_id")}
        actions += [
            {"Delete": {"Key": db.key(keys.merchant(mid), keys.visit(vid))}}
            for mid, vid in sorted(visits)
        ]
        db.transact(actions)
        for mid, vid in visits:
            cache.forget_visit(mid, vid)


def merchant_entries(
    merchant_id: str, kind: str | None, customer_id: str | None, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """A business's entries, newest first, optionally one kind and/or one customer."""
    keep = (lambda item: item["kind"] == kind) if kind else None
    if customer_id:
        return db.query(
            ("gsi2pk", keys.customer_at(customer_id, merchant_id)),
            index="gsi2",
            newest_first=True,
            limit=limit,
            cursor=cursor,
            keep=keep,
            list_tag=kind or "",
        )
    return db.query(
        ("pk", keys.merchant(merchant_id)),
        sort_prefix="TX#",
        newest_first=True,
        limit=limit,
        cursor=cursor,
        keep=keep,
        list_tag=kind or "",
    )


def entries_page_between(
    merchant_id: str,
    lo_tx_prefix: str,
    hi_tx_prefix: str,
    limit: int,
    cursor: str | None,
    list_tag: str,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of a business's entries whose ids sort in [lo, hi], oldest first."""
    return db.query(
        ("pk", keys.merchant(merchant_id)),
        sort_between=(keys.tx(lo_tx_prefix), keys.tx(hi_tx_prefix)),
        limit=limit,
        cursor=cursor,
        list_tag=list_tag,
    )


def entries_between(merchant_id: str, lo_tx_prefix: str, hi_tx_prefix: str) -> list[dict[str, Any]]:
    """Every entry of a business whose id sorts in [lo, hi] (ids sort by time)."""
    items, _ = db.query(
        ("pk", keys.merchant(merchant_id)),
        sort_between=(keys.tx(lo_tx_prefix), keys.tx(hi_tx_prefix)),
    )
    return items


# ------------------------------------------------------------------ visits and QR tokens


def get_visit(merchant_id: str, visit_id: str, *, fresh: bool = False) -> dict[str, Any] | None:
    """A visit (cached: only `earned` and `activity` ever change, and conditions guard those)."""
    if not fresh and (hit := cache.visit(merchant_id, visit_id)):
        return hit
    item = db.get(keys.merchant(merchant_id), keys.visit(visit_id), consistent=fresh)
    if item is None:
        cache.forget_visit(merchant_id, visit_id)
    else:
        cache.put_visit(item)
    return item


def prefetch(merchant_id: str, visit_id: str, staff_id: str) -> None:
    """A container that did not open this visit: read the business, the visit and the
    caller's role together.

    One BatchGetItem instead of three reads; the business's rewards are read later only if
    the operation needs them.
    """
    wanted = []
    if cache.merchant(merchant_id) is None:
        wanted.append((keys.merchant(merchant_id), keys.PROFILE))
    if cache.visit(merchant_id, visit_id) is None:
        wanted.append((keys.merchant(merchant_id), keys.visit(visit_id)))
    if cache.staff_role(merchant_id, staff_id) is None:
        wanted.append((keys.merchant(merchant_id), keys.staff(staff_id)))
    if not wanted:
        return
    for item in db.batch_get(wanted).values():
        if item["sk"] == keys.PROFILE:
            cache.put_merchant(item, None)
        elif item["sk"].startswith(keys.staff("")):
            cache.put_staff_role(merchant_id, staff_id, item["role"])
        else:
            cache.put_visit(item)


def _claim_token(marker: dict[str, Any], item: dict[str, Any], staff_id: str) -> str | None:
    """Mark the token used and put `item` (a visit, or a request for the customer's approval)
    in one transaction. None on success, else which guard refused: "token_used" or "not_staff"."""
    marker_item = {"pk": keys.qr_used(marker["token_id"]), "sk": "USED", **marker}
    try:
        db.transact(
            [
                {"Put": {"Item": marker_item, "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
                _staff_check(item["merchant_id"], staff_id),
            ]
        )
    except db.TransactionCancelled as cancelled:
        if cancelled.failed(0):
            return "token_used"
        if cancelled.failed(2):
            return "not_staff"
        raise
    return None


def _visit_item(visit: dict[str, Any]) -> dict[str, Any]:
    return {"pk": keys.merchant(visit["merchant_id"]), "sk": keys.visit(visit["visit_id"]), **visit}


def open_visit(visit: dict[str, Any], marker: dict[str, Any], staff_id: str) -> str | None:
    """Consume the token and open the visit in one transaction (the camera's path).

    Returns None on success, else which guard refused: "token_used" or "not_staff".
    """
    item = _visit_item(visit)
    refused = _claim_token(marker, item, staff_id)
    if refused is None:
        cache.put_visit(item)
    return refused


def request_approval(request: dict[str, Any], marker: dict[str, Any]) -> str | None:
    """Consume the token and file the till's request for the customer's approval (a typed
    code); same answers as `open_visit`."""
    item = {
        "pk": keys.merchant(request["merchant_id"]),
        "sk": keys.approval(request["request_id"]),
        **request,
    }
    return _claim_token(marker, item, request["staff_id"])


def get_approval(merchant_id: str, request_id: str) -> dict[str, Any] | None:
    """A till's request for a customer's approval, as it is now."""
    return db.get(keys.merchant(merchant_id), keys.approval(request_id), consistent=True)


def allow(request: dict[str, Any], visit: dict[str, Any], now_s: int) -> bool:
    """The customer allows the request: the visit opens, in one transaction with the answer,
    if the request is still waiting and its till still works there. False if not."""
    mid = request["merchant_id"]
    try:
        db.transact(
            [
                {
                    "Update": {
                        "Key": db.key(keys.merchant(mid), keys.approval(request["request_id"])),
                        "UpdateExpression": "SET #status = :allowed, visit_id = :v",
                        "ConditionExpression": (
                            "#status = :waiting AND decide_by > :now AND customer_id = :c"
                        ),
                        "ExpressionAttributeNames": {"#status": "status"},
                        "ExpressionAttributeValues": {
                            ":allowed": "allowed",
                            ":waiting": "waiting",
                            ":v": visit["visit_id"],
                            ":now": now_s,
                            ":c": visit["customer_id"],
                        },
                    }
                },
                {
                    "Put": {
                        "Item": _visit_item(visit),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Update": {
                        "Key": db.key(keys.qr_used(request["token_id"]), "USED"),
                        "UpdateExpression": "SET visit_id = :v",
                        "ConditionExpression": "approval_id = :a AND attribute_not_exists(visit_id)",
                        "ExpressionAttributeValues": {
                            ":v": visit["visit_id"],
                            ":a": request["request_id"],
                        },
                    }
                },
                _staff_check(mid, request["staff_id"]),
            ]
        )
    except db.TransactionCancelled as cancelled:
        if any(cancelled.failed(i) for i in range(4)):
            return False
        raise
    cache.put_visit(_visit_item(visit))
    return True


def decline(request: dict[str, Any]) -> bool:
    """The customer says "not me": the request closes; False if it was no longer waiting."""
    try:
        db.update(
            keys.merchant(request["merchant_id"]),
            keys.approval(request["request_id"]),
            "SET #status = :declined",
            {":declined": "declined", ":waiting": "waiting"},
            {"#status": "status"},
            condition="#status = :waiting",
        )
    except ClientError as error:
        if db.is_condition_failure(error):
            return False
        raise
    return True


def used_marker(token_id: str) -> dict[str, Any] | None:
    """The marker written when a token was scanned, or None."""
    return db.get(keys.qr_used(token_id), "USED", consistent=True)


def put_short_code(code: str, token: str, customer_id: str, expires_at: int, now_s: int) -> bool:
    """Claim a 6-digit code for a token; False if a live token holds it."""
    item = {
        "pk": keys.short_code(code),
        "sk": "CODE",
        "token": token,
        "customer_id": customer_id,
        "expires_at": expires_at,
    }
    try:
        db.put(item, "attribute_not_exists(pk) OR expires_at < :now", {":now": now_s})
    except ClientError as error:
        if db.is_condition_failure(error):
            return False
        raise
    return True


def get_short_code(code: str) -> dict[str, Any] | None:
    return db.get(keys.short_code(code), "CODE", consistent=True)


# ------------------------------------------------------------------ claim codes


def put_claim_code(digest: str, claim: dict[str, Any]) -> bool:
    """Store a new claim code (under its keyed hash); False if that hash is taken."""
    item = {
        "pk": keys.claim_code(digest),
        "sk": "CODE",
        "gsi1pk": keys.claims(claim["merchant_id"]),
        "gsi1sk": claim["claim_id"],
        **claim,
    }
    try:
        db.put(item, "attribute_not_exists(pk)")
    except ClientError as error:
        if db.is_condition_failure(error):
            return False
        raise
    return True


def get_claim_code(digest: str) -> dict[str, Any] | None:
    """The claim code item a typed code hashes to, read consistently, or None."""
    return db.get(keys.claim_code(digest), "CODE", consistent=True)


def merchant_claim_codes(
    merchant_id: str, since_claim_id: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """A business's claim codes issued since `since_claim_id` (ids sort by time), newest first."""
    return db.query(
        ("gsi1pk", keys.claims(merchant_id)),
        index="gsi1",
        sort_between=(since_claim_id, "~"),
        newest_first=True,
        limit=limit,
        cursor=cursor,
    )


def find_claim_code(merchant_id: str, claim_id: str) -> dict[str, Any] | None:
    """A business's claim code by its id (not by the code, which is never stored)."""
    items, _ = db.query(
        ("gsi1pk", keys.claims(merchant_id)), index="gsi1", sort_between=(claim_id, claim_id)
    )
    return items[0] if items else None


def void_claim_code(item: dict[str, Any], at: str) -> dict[str, Any] | None:
    """Void an unclaimed code (a refund before the customer claimed it); None if it was
    claimed or voided meanwhile."""
    try:
        return db.update(
            item["pk"],
            item["sk"],
            "SET voided_at = :at",
            {":at": at, ":m": item["merchant_id"]},
            condition=(
                "merchant_id = :m AND attribute_not_exists(claimed_by)"
                " AND attribute_not_exists(voided_at)"
            ),
        )
    except ClientError as error:
        if db.is_condition_failure(error):
            return None
        raise


# ------------------------------------------------------------------ idempotency records


@dataclass(frozen=True)
class IdempotencyRecord:
    """A balance change's answer, kept under its caller's Idempotency-Key until `expires_at`."""

    caller_id: str
    key: str
    fingerprint: str
    status: int
    body: str
    expires_at: int

    def item(self) -> dict[str, Any]:
        return {
            "pk": keys.idempotency(self.caller_id, self.key),
            "sk": "RESPONSE",
            "fingerprint": self.fingerprint,
            "status": self.status,
            "body": self.body,
            "expires_at": self.expires_at,
        }


def get_idempotency(caller_id: str, key: str, now_s: int) -> dict[str, Any] | None:
    """The live record item kept under this caller's key, or None."""
    item = db.get(keys.idempotency(caller_id, key), "RESPONSE", consistent=True)
    return item if item and int(item["expires_at"]) > now_s else None


# ------------------------------------------------------------------ the balance transaction


@dataclass(frozen=True)
class RoleCheck:
    """Whose role at the business the transaction checks, and what it must be: `staff` (staff
    or owner: the till), `owner` (an adjustment), or `outsider` (no role at all: a customer
    claiming a receipt must not work there). Checked inside the transaction, so a role
    removed meanwhile still refuses."""

    user_id: str
    must_be: Literal["staff", "owner", "outsider"]


@dataclass(frozen=True)
class ClaimTerms:
    """A receipt's claim code as the claim read it: it is spent by this change, once, if it
    is still open and still for this business and amount."""

    digest: str
    merchant_id: str
    amount_cents: int


@dataclass(frozen=True)
class StaffDay:
    """Add `points` to what `staff_id` awarded at the business on `day` (UTC), if it stays
    within the owner's cap: at the till, the one serving; for a receipt's claim, the one who
    issued the code (the owner is never capped)."""

    staff_id: str
    day: str
    points: int
    cap: int


@dataclass(frozen=True)
class RewardTerms:
    """A reward as a redemption saw it: still offered, at this cost, for this tier (or all)."""

    reward_id: str
    cost: int
    min_tier: str | None = None


@dataclass
class BalanceChange:
    """Everything one balance change writes (earn, redeem, reverse, an adjustment, a claim,
    an expiry), as one TransactWriteItems."""

    role: RoleCheck | None  # None: nobody acts for the business (an expiry, a closure)
    merchant_id: str
    customer_id: str
    now_s: int
    now_iso: str
    # membership: the version we read (None = did not exist), the new lifetime figure
    # (the new balance and stamps are the entry's `balance_after` and `stamps_after`)
    expected_version: int | None
    lifetime_points: int
    min_old_balance: int | None  # condition "balance >= x" (redeem, reversing an earn)
    merchant_fields: dict[str, Any]  # denormalized name/category/currency
    entry: dict[str, Any]
    idempotency: IdempotencyRecord | None  # None: the change is idempotent by itself (closure)
    closes: bool = False  # the account closes: the membership is marked closed, for good
    settings_version: int | None = None
    visit_id: str | None = None
    visit_must_not_be_earned: bool = False
    visit_redemptions_open: bool = False  # condition "redeem_until > now" on the visit
    reward: RewardTerms | None = None  # the reward as redeemed: it must still be so
    reverses_tx_id: str | None = None
    min_old_stamps: int | None = None  # condition "stamps >= x" (a full card, a stamp refunded)
    staff_day: StaffDay | None = None  # the points a staff member (not the owner) puts in
    claim: ClaimTerms | None = None  # the receipt's code this change spends
    # The customer's last activity here after the change (the expiry clock): now for an
    # earn, a redemption, a claim or an adjustment; unchanged by a reversal or an expiry.
    last_activity_at: str | None = None

    @property
    def balance(self) -> int:
        """The membership's balance after the change."""
        return int(self.entry["balance_after"])

    @property
    def stamps(self) -> int:
        """The membership's stamps after the change."""
        return int(self.entry.get("stamps_after", 0))


class ChangeRefused(Exception):
    """Which guard refused the transaction (`part`) and the item as it is (`item`)."""

    def __init__(self, part: str, item: dict[str, Any] | None) -> None:
        super().__init__(part)
        self.part = part
        self.item = item


# Which failure wins when several guards fail at once: a replay first, then authorization.
_PRIORITY = (
    "idempotency",
    "role",
    "claim",
    "original",
    "visit",
    "reward",
    "settings",
    "staff_day",
    "customer",
    "membership",
    "entry",
)


# What a visit remembers of each change in it: the customer's My code screen reads these.
ACTIVITY_FIELDS = (
    "tx_id",
    "kind",
    "points",
    "balance_after",
    "stamps",
    "stamps_after",
    "stamps_needed",
    "promotion_name",
    "reward_name",
    "created_at",
)


def _staff_check(merchant_id: str, user_id: str) -> dict[str, Any]:
    return {
        "ConditionCheck": {
            "Key": db.key(keys.merchant(merchant_id), keys.staff(user_id)),
            "ConditionExpression": "attribute_exists(pk)",
        }
    }


def _role_check(merchant_id: str, role: RoleCheck) -> dict[str, Any]:
    check: dict[str, Any] = {"Key": db.key(keys.merchant(merchant_id), keys.staff(role.user_id))}
    if role.must_be == "staff":
        check["ConditionExpression"] = "attribute_exists(pk)"
    elif role.must_be == "owner":
        check["ConditionExpression"] = "#role = :owner"
        check["ExpressionAttributeNames"] = {"#role": "role"}
        check["ExpressionAttributeValues"] = {":owner": "owner"}
    else:
        check["ConditionExpression"] = "attribute_not_exists(pk)"
    return {"ConditionCheck": check}


def _membership_update(change: BalanceChange) -> dict[str, Any]:
    """The new balance, conditioned on the version read (and on the old balance when spending).

    The membership also keeps its index keys: gsi1 lists a business's members (its page and
    export), gsi2 its members holding points by last activity (what the expiry job reads):
    only while the balance is above zero, so an expired or spent membership leaves it.
    """
    values: dict[str, Any] = {
        ":b": change.balance,
        ":s": change.stamps,
        ":l": change.lifetime_points,
        ":nv": (change.expected_version or 0) + 1,
        ":now": change.now_iso,
        ":c": change.customer_id,
        ":m": change.merchant_id,
        ":mn": change.merchant_fields["merchant_name"],
        ":cat": change.merchant_fields["category"],
        ":cur": change.merchant_fields["currency"],
    }
    if change.expected_version is None:
        condition = "attribute_not_exists(pk)"
    else:
        # A closed membership (the customer deleted their account) never changes again.
        condition = "version = :v AND attribute_not_exists(closed_at)"
        values[":v"] = change.expected_version
        if change.min_old_balance is not None:
            condition += " AND balance >= :min"
            values[":min"] = change.min_old_balance
        if change.min_old_stamps is not None:
            condition += " AND stamps >= :smin"
            values[":smin"] = change.min_old_stamps
    update = (
        "SET balance = :b, stamps = :s, lifetime_points = :l, version = :nv,"
        " updated_at = :now,"
        " customer_id = :c, merchant_id = :m, merchant_name = :mn, category = :cat,"
        " currency = :cur, created_at = if_not_exists(created_at, :now),"
        " gsi1pk = :members, gsi1sk = :member"
    )
    values[":members"] = keys.members(change.merchant_id)
    values[":member"] = keys.user(change.customer_id)
    if change.last_activity_at:
        update += ", last_activity_at = :la"
        values[":la"] = change.last_activity_at
    if change.closes:
        update += ", closed_at = :now"
    if change.balance > 0 and change.last_activity_at:
        update += ", gsi2pk = :idle, gsi2sk = :idle_at"
        values[":idle"] = keys.idle(change.merchant_id)
        values[":idle_at"] = keys.idle_sort(change.last_activity_at, change.customer_id)
    else:
        update += " REMOVE gsi2pk, gsi2sk"
    return {
        "Update": {
            "Key": db.key(keys.user(change.customer_id), keys.member(change.merchant_id)),
            "UpdateExpression": update,
            "ConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
    }


def _visit_update(change: BalanceChange, activity: dict[str, Any]) -> dict[str, Any]:
    """Record the change in the open visit of this customer (and spend its one earn)."""
    guard = "expires_at > :t AND customer_id = :c"
    values: dict[str, Any] = {":t": change.now_s, ":c": change.customer_id, ":act": [activity]}
    update = "SET activity = list_append(activity, :act)"
    if change.visit_must_not_be_earned:
        guard += " AND earned = :no"
        update += ", earned = :yes"
        values.update({":no": False, ":yes": True})
    if change.visit_redemptions_open:
        guard += " AND redeem_until > :t"
    return {
        "Update": {
            "Key": db.key(keys.merchant(change.merchant_id), keys.visit(str(change.visit_id))),
            "UpdateExpression": update,
            "ConditionExpression": guard,
            "ExpressionAttributeValues": values,
        }
    }


def _original_update(change: BalanceChange) -> dict[str, Any]:
    """Mark the reversed entry, once: a second reversal of it fails here."""
    return {
        "Update": {
            "Key": db.key(keys.merchant(change.merchant_id), keys.tx(str(change.reverses_tx_id))),
            "UpdateExpression": "SET reversed_by = :r",
            "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(reversed_by)",
            "ExpressionAttributeValues": {":r": change.entry["tx_id"]},
        }
    }


def _customer_check(customer_id: str) -> dict[str, Any]:
    """A first membership needs a customer whose account exists and is not being deleted."""
    return {
        "ConditionCheck": {
            "Key": db.key(keys.user(customer_id), keys.PROFILE),
            "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(deleting_since)",
        }
    }


def _claim_update(change: BalanceChange) -> dict[str, Any]:
    """Spend the receipt's code: once, while open, for its business and amount only."""
    claim = change.claim
    assert claim is not None
    return {
        "Update": {
            "Key": db.key(keys.claim_code(claim.digest), "CODE"),
            "UpdateExpression": "SET claimed_by = :c, claimed_at = :now, tx_id = :tx",
            "ConditionExpression": (
                "attribute_exists(pk) AND attribute_not_exists(claimed_by)"
                " AND attribute_not_exists(voided_at) AND valid_until > :t"
                " AND merchant_id = :m AND amount_cents = :a"
            ),
            "ExpressionAttributeValues": {
                ":c": change.customer_id,
                ":now": change.now_iso,
                ":tx": change.entry["tx_id"],
                ":t": change.now_s,
                ":m": claim.merchant_id,
                ":a": claim.amount_cents,
            },
        }
    }


def _settings_check(merchant_id: str, settings_version: int) -> dict[str, Any]:
    return {
        "ConditionCheck": {
            "Key": db.key(keys.merchant(merchant_id), keys.PROFILE),
            "ConditionExpression": "settings_version = :sv",
            "ExpressionAttributeValues": {":sv": settings_version},
        }
    }


def _staff_day_update(change: BalanceChange) -> dict[str, Any]:
    """Count the points this staff member puts into balances today, within the owner's cap."""
    counted = change.staff_day
    assert counted is not None
    day, points, cap = counted.day, counted.points, counted.cap
    return {
        "Update": {
            "Key": db.key(keys.merchant(change.merchant_id), keys.staff_day(counted.staff_id, day)),
            "UpdateExpression": (
                "SET points = if_not_exists(points, :zero) + :p, staff_id = :s, #day = :d,"
                " expires_at = :exp"
            ),
            "ConditionExpression": "attribute_not_exists(points) OR points <= :room",
            "ExpressionAttributeNames": {"#day": "day"},
            "ExpressionAttributeValues": {
                ":zero": 0,
                ":p": points,
                ":s": counted.staff_id,
                ":d": day,
                ":exp": change.now_s + 2 * 86400,
                ":room": cap - points,
            },
        }
    }


def _reward_check(merchant_id: str, reward: RewardTerms) -> dict[str, Any]:
    values: dict[str, Any] = {":yes": True, ":cost": reward.cost}
    condition = "active = :yes AND cost_points = :cost"
    if reward.min_tier is None:
        condition += " AND attribute_not_exists(min_tier)"
    else:
        condition += " AND min_tier = :tier"
        values[":tier"] = reward.min_tier
    return {
        "ConditionCheck": {
            "Key": db.key(keys.merchant(merchant_id), keys.reward(reward.reward_id)),
            "ConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
    }


def commit(change: BalanceChange) -> None:
    """Write the change in one round trip, or raise ChangeRefused naming the failed guard."""
    mid, cid = change.merchant_id, change.customer_id
    # The visit records each balance change made in it (what the customer's screen shows).
    activity = {k: change.entry.get(k) for k in ACTIVITY_FIELDS}
    guarded: list[tuple[str, dict[str, Any] | None]] = [
        ("membership", _membership_update(change)),
        (
            "entry",
            {
                "Put": {
                    "Item": entry_item(change.entry),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ),
        ("visit", _visit_update(change, activity) if change.visit_id else None),
        ("original", _original_update(change) if change.reverses_tx_id else None),
        ("claim", _claim_update(change) if change.claim else None),
        ("role", _role_check(mid, change.role) if change.role else None),
        ("customer", _customer_check(cid) if change.expected_version is None else None),
        (
            "settings",
            None
            if change.settings_version is None
            else _settings_check(mid, change.settings_version),
        ),
        ("reward", _reward_check(mid, change.reward) if change.reward else None),
        ("staff_day", _staff_day_update(change) if change.staff_day else None),
        (
            "idempotency",
            None
            if change.idempotency is None
            else {
                "Put": {
                    "Item": change.idempotency.item(),
                    "ConditionExpression": "attribute_not_exists(pk) OR expires_at < :t",
                    "ExpressionAttributeValues": {":t": change.now_s},
                }
            },
        ),
    ]
    parts = [part for part, action in guarded if action is not None]
    actions = [action for _, action in guarded if action is not None]

    try:
        db.transact(actions)
    except db.TransactionCancelled as cancelled:
        failed = {parts[i]: cancelled.failed(i) for i in range(len(parts)) if cancelled.failed(i)}
        for part in _PRIORITY:
            if part in failed:
                raise ChangeRefused(part, failed[part].item) from cancelled
        if cancelled.conflicted:
            raise ChangeRefused("conflict", None) from cancelled
        raise

    # The write succeeded: what we conditioned on plus what we wrote is the new state.
    cache.put_membership(
        cid,
        mid,
        {
            "customer_id": cid,
            "merchant_id": mid,
            "balance": change.balance,
            "stamps": change.stamps,
            "lifetime_points": change.lifetime_points,
            "version": (change.expected_version or 0) + 1,
            "last_activity_at": change.last_activity_at,
            **({"closed_at": change.now_iso} if change.closes else {}),
        },
    )
    if change.visit_id and (visit := cache.visit(mid, change.visit_id)):
        visit = dict(visit, activity=[*visit.get("activity", []), activity])
        if change.visit_must_not_be_earned:
            visit["earned"] = True
        cache.put_visit(visit)

"""Receipts' claim codes: a sale closed without a scan, its points claimed later.

Staff issue a code for a purchase (`issue`): bound to the business and the amount, valid
`loyalty.claim_codes.VALID_DAYS`, shown once and never stored (the table keeps an HMAC of
it, keyed by the deployment's secret, so a copy of the table cannot be turned back into
codes). The customer types it (`claim`): the purchase earns then, through the ledger's one
driver, under the business's rules at that moment and the customer's own tier; the code is
spent in the same transaction as the entry (once: a second claim finds it spent), and a
customer who works at the business cannot claim its receipts. A code is its issuer's award:
staff (not the owner) issue codes only up to the owner's largest purchase, and the claim
counts its points into the issuer's daily cap (`loyalty.staff_limits`), as at the till.

Guessing: every claim takes one of the caller's failure slots
(`limits.CLAIM_FAILURES_PER_CALLER`) before the lookup; a good code gives it back, so only
failures count (docs/api.md has the arithmetic).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from backend import clock
from backend.dal import ledger as store
from backend.dal import merchants as merchant_store
from backend.dal import qr_secret, users
from backend.logic import access, errors, ids, ledger, limits, pages
from backend.logic.idempotency import Idempotency
from loyalty import claim_codes, earning, staff_limits

KEPT_AFTER_EXPIRY_S = 90 * 86_400  # the spent or expired code's record, for the ledger's checks
ISSUE_ATTEMPTS = 5


def _digest(code: str) -> str:
    """The code's keyed hash: what the table stores and looks codes up by."""
    return hmac.new(qr_secret.signing_key(), code.encode(), hashlib.sha256).hexdigest()


def public_claim_code(item: dict[str, Any], now_s: int) -> dict[str, Any]:
    """A claim code as the business sees it (never the code itself)."""
    if item.get("claimed_by"):
        status = "claimed"
    elif item.get("voided_at"):
        status = "voided"
    elif int(item["valid_until"]) <= now_s:
        status = "expired"
    else:
        status = "open"
    return {
        "claim_id": item["claim_id"],
        "amount_cents": int(item["amount_cents"]),
        "currency": item.get("currency", "EUR"),
        "issued_by": item["issued_by"],
        "issued_at": item["issued_at"],
        "valid_until": clock.iso(int(item["valid_until"])),
        "status": status,
        "tx_id": item.get("tx_id"),
    }


def issue(staff_id: str, merchant_id: str, amount_cents: int) -> dict[str, Any]:
    """A code for a purchase of `amount_cents`, to print or write on the receipt."""
    role = access.require_staff(merchant_id, staff_id)["role"]
    loaded = merchant_store.load(merchant_id, with_rewards=False)
    if loaded is None:
        raise errors.NotFound()
    profile = loaded[0]
    # A code is the issuer's award: staff within the owner's limits, as at the till (the
    # claim counts its points into the issuer's day then).
    limits = staff_limits.of(profile.get("staff_limits"))
    if role != "owner" and not staff_limits.may_award(amount_cents, limits):
        raise ledger.needs_owner(profile, limits)
    try:  # the till's rule: a purchase under the minimum earns nothing, so it gets no code
        earning.points_for_purchase(amount_cents, profile["earning_rule"], 100)
    except earning.BelowMinimum:
        raise errors.BelowMinimumPurchase() from None
    now_s = clock.now_s()
    valid_until = now_s + claim_codes.VALID_DAYS * 86_400
    claim = {
        "claim_id": ids.new_id("c"),
        "merchant_id": merchant_id,
        "merchant_name": profile["name"],
        "currency": profile.get("currency", "EUR"),
        "amount_cents": amount_cents,
        "issued_by": staff_id,
        "issued_at": clock.iso(now_s),
        "valid_until": valid_until,
        "expires_at": valid_until + KEPT_AFTER_EXPIRY_S,  # TTL
    }
    for _ in range(ISSUE_ATTEMPTS):  # 60 random bits: a collision is next to impossible
        code = claim_codes.from_bits(secrets.randbits(claim_codes.BITS))
        if store.put_claim_code(_digest(code), claim):
            break
    else:
        raise errors.ShortCodesBusy()
    return {
        **public_claim_code(claim, now_s),
        "code": claim_codes.grouped(code),
        "merchant_name": profile["name"],
    }


def open_codes(staff_id: str, merchant_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """The business's claim codes of the last `VALID_DAYS` days, newest first (staff)."""
    access.require_staff(merchant_id, staff_id)
    now_s = clock.now_s()
    since = "c_" + ids.time_prefix((now_s - claim_codes.VALID_DAYS * 86_400) * 1000)
    return pages.page(
        lambda: store.merchant_claim_codes(merchant_id, since, limit, cursor),
        lambda item: public_claim_code(item, now_s),
    )


def void(staff_id: str, merchant_id: str, claim_id: str) -> dict[str, Any]:
    """Void an unclaimed code (the sale was refunded before the customer claimed it)."""
    access.require_staff(merchant_id, staff_id)
    item = store.find_claim_code(merchant_id, claim_id)
    if item is None:
        raise errors.NotFound()
    voided = store.void_claim_code(item, clock.iso())
    if voided is None:
        raise errors.ClaimCodeUsed(
            "This code was already claimed (reverse the entry instead) or voided."
        )
    return public_claim_code(voided, clock.now_s())


def claim(
    customer_id: str, code: str, merchant_id: str | None, idem: Idempotency
) -> dict[str, Any]:
    """The customer claims a receipt's points: the purchase earns now, at that business."""
    attempt = limits.attempt_claim(customer_id)
    try:
        result = _claim(customer_id, code, merchant_id, idem)
    except errors.IdempotentReplay:
        attempt.give_back()  # a retry of a claim that went through: no failure
        raise
    except errors.DomainError:
        earlier = idem.earlier()  # the code is spent now, maybe by this very request
        if earlier is None:
            raise
        attempt.give_back()
        raise errors.IdempotentReplay(earlier) from None
    attempt.give_back()  # a good code: no failure
    return result


def _claim(
    customer_id: str, code: str, merchant_id: str | None, idem: Idempotency
) -> dict[str, Any]:
    digest = _digest(code)
    item = store.get_claim_code(digest)
    # Another business's code typed on this business's page is as unknown as no code at all.
    if item is None or (merchant_id and item["merchant_id"] != merchant_id):
        raise errors.NotFound("No receipt has this code. Check it and try again.")
    if item.get("claimed_by"):
        raise errors.ClaimCodeUsed()
    if item.get("voided_at"):
        raise errors.ClaimCodeVoided()
    if int(item["valid_until"]) <= clock.now_s():
        raise errors.ClaimCodeExpired()
    amount = int(item["amount_cents"])
    name = str((users.get_profile(customer_id) or {}).get("display_name") or "Customer")

    def draft(at: ledger.Attempt) -> ledger.Proposal:
        member = at.member(customer_id)
        try:  # the issuer's limits as staff, under the owner's settings now
            return ledger.draft_purchase(
                at,
                member,
                amount,
                customer_name=name,
                details={"claim_id": item["claim_id"]},
                claim=store.ClaimTerms(digest, item["merchant_id"], amount),
            )
        except (errors.NeedsOwner, errors.StaffDailyCap):
            raise errors.ClaimOverStaffLimit() from None

    return ledger.change_balance(
        item["issued_by"],  # the sale was theirs: the entry says who served the customer
        item["merchant_id"],
        idem,
        draft,
        role=store.RoleCheck(customer_id, "outsider"),
        refusals={"claim": errors.ClaimCodeUsed, "staff_day": errors.ClaimOverStaffLimit},
    )

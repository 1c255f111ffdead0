"""QR tokens issued to customers and the visits that consume them at the till.

Nobody opens a visit on a customer without the customer (invariant 8): the signed QR
token, read by the till's camera from the customer's own screen, opens a visit at once;
a typed 6-digit code only asks. The till's request waits (202) until the customer allows
it on their My code screen ("Café Rosa wants to scan your code: Allow / Not me"), and only
then does the visit open. A typed code that opens nothing (no such code, expired, used,
declined, ignored) gets one answer, `code_refused`, and costs the till and the business
one of a few failure slots (logic/limits.py): a guesser learns nothing and is soon locked
out.
"""

from __future__ import annotations

from typing import Any

from backend import clock, config
from backend.dal import ledger as store
from backend.dal import merchants as merchant_store
from backend.dal import qr_secret, users
from backend.logic import (
    access,
    errors,
    ids,
    ledger,
    limits,
    merchants,
    promotions,
    qr_tokens,
    rewards,
)
from loyalty import tiers

SHORT_CODE_ATTEMPTS = 20


def issue_token(customer_id: str) -> dict[str, Any]:
    """A fresh one-time token and a 6-digit fallback code (the only write: the code's item)."""
    key = qr_secret.signing_key()
    now_s = clock.now_s()
    token, info = qr_tokens.issue(key, customer_id, now_s, config.QR_TOKEN_TTL_SECONDS)
    for _ in range(SHORT_CODE_ATTEMPTS):
        code = qr_tokens.new_short_code()
        if store.put_short_code(code, token, customer_id, info.expires_at, now_s):
            break
    else:  # a million codes and 60 s lifetimes: only a flood gets here
        raise errors.ShortCodesBusy()
    return {
        "token_id": info.token_id,
        "token": token,
        "short_code": code,
        "expires_at": clock.iso(info.expires_at),
        "expires_in": config.QR_TOKEN_TTL_SECONDS,
    }


# ------------------------------------------------------------------ the customer's side


def _status(token_id: str, status: str, **fields: Any) -> dict[str, Any]:
    return {
        "token_id": token_id,
        "status": status,
        "merchant": None,
        "pending_approval": None,
        "activity": [],
        "balance": None,
        "stamps": None,
        **fields,
    }


def _activity(item: dict[str, Any]) -> dict[str, Any]:
    """A change in the visit as the customer's screen reads it (older visits lack stamps)."""
    return {
        "tx_id": item["tx_id"],
        "kind": item["kind"],
        "points": int(item["points"]),
        "balance_after": int(item["balance_after"]),
        "stamps": int(item.get("stamps") or 0),
        "stamps_after": int(item.get("stamps_after") or 0),
        "stamps_needed": item.get("stamps_needed"),
        "promotion_name": item.get("promotion_name"),
        "reward_name": item.get("reward_name"),
        "created_at": item["created_at"],
    }


def _merchant_ref(marker: dict[str, Any]) -> dict[str, str]:
    return {"merchant_id": marker["merchant_id"], "name": marker.get("merchant_name", "")}


def token_status(customer_id: str, token_id: str) -> dict[str, Any]:
    """Whether the caller's token was scanned, where, and what happened in that visit; or
    which business asks to scan it (a typed code waiting for the customer's answer)."""
    expires_at = qr_tokens.token_id_expiry(qr_secret.signing_key(), token_id, customer_id)
    marker = store.used_marker(token_id)
    if marker is None or marker.get("customer_id") != customer_id:
        return _status(token_id, "pending" if expires_at > clock.now_s() else "expired")
    if not marker.get("visit_id"):  # a typed code: the till waits for the customer
        request = store.get_approval(marker["merchant_id"], marker["approval_id"]) or {}
        if _waiting(request):
            return _status(
                token_id,
                "awaiting_approval",
                merchant=_merchant_ref(marker),
                pending_approval={
                    "request_id": request["request_id"],
                    "merchant": _merchant_ref(marker),
                    "expires_at": clock.iso(int(request["decide_by"])),
                },
            )
        return _status(token_id, "declined", merchant=_merchant_ref(marker))
    visit = store.get_visit(marker["merchant_id"], marker["visit_id"], fresh=True) or {}
    member = ledger.read_member(customer_id, marker["merchant_id"], consistent=True)
    return _status(
        token_id,
        "scanned",
        merchant=_merchant_ref(marker),
        activity=[_activity(a) for a in visit.get("activity", [])],
        balance=member.balance,
        stamps=member.stamps,
    )


def _waiting(request: dict[str, Any]) -> bool:
    return request.get("status") == "waiting" and int(request["decide_by"]) > clock.now_s()


def answer_request(customer_id: str, token_id: str, allow: bool) -> dict[str, Any]:
    """The customer answers a till that typed their code: allow (the visit opens) or "not me"
    (nothing opens, and the till's failure slot stays spent). Answers the token's status."""
    qr_tokens.token_id_expiry(qr_secret.signing_key(), token_id, customer_id)
    marker = store.used_marker(token_id)
    if marker is None or marker.get("customer_id") != customer_id or not marker.get("approval_id"):
        raise errors.NotFound("No business is asking to scan this code.")
    request = store.get_approval(marker["merchant_id"], marker["approval_id"])
    if request is None or request.get("status") != "waiting":
        raise errors.ApprovalClosed()
    if allow:
        now_s = clock.now_s()
        visit = _new_visit(
            request["merchant_id"], customer_id, token_id, request["staff_id"], now_s
        )
        if not store.allow(request, visit, now_s):
            raise errors.ApprovalClosed()
        # The code was the customer's to give: no failure after all.
        limits.CodeAttempt.from_item(request.get("slots") or []).give_back()
    elif not store.decline(request):
        raise errors.ApprovalClosed()
    return token_status(customer_id, token_id)


# ------------------------------------------------------------------ at the till


def is_typed_code(raw: str) -> bool:
    """Whether the till sent the 6 digits under the QR code (not the QR's signed token)."""
    return bool(qr_tokens.SHORT_CODE.match(raw.strip()))


def _business(staff_id: str, merchant_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    access.require_staff(merchant_id, staff_id)
    loaded = merchant_store.load(merchant_id)
    if loaded is None:
        raise errors.NotFound()
    return loaded


def _new_visit(
    merchant_id: str, customer_id: str, token_id: str, staff_id: str, now_s: int
) -> dict[str, Any]:
    customer, customer_is_staff = users.profile_and_role(customer_id, merchant_id)
    if customer is None or customer.get("deleting_since"):
        raise errors.NotFound("This customer's account does not exist any more.")
    return {
        "visit_id": ids.new_id("v"),
        "merchant_id": merchant_id,
        "customer_id": customer_id,
        "customer_name": (customer or {}).get("display_name", "Customer"),
        # Earns for the business's own people are flagged in the ledger and the figures.
        "customer_is_staff": customer_is_staff,
        "token_id": token_id,
        "staff_id": staff_id,
        "expires_at": now_s + config.VISIT_TTL_SECONDS,
        "redeem_until": now_s + config.REDEEM_WINDOW_SECONDS,
        "earned": False,
        "activity": [],
        "created_at": clock.iso(now_s),
    }


def _marker(token: qr_tokens.QrToken, profile: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "token_id": token.token_id,
        "customer_id": token.customer_id,
        "merchant_id": profile["merchant_id"],
        "merchant_name": profile["name"],
        # Kept a day for the customer's "was it scanned?" screen; the token itself is dead
        # after 60 s whatever happens to this item.
        "expires_at": token.expires_at + 24 * 3600,
        **fields,
    }


def _visit_answer(
    visit: dict[str, Any], profile: dict[str, Any], all_rewards: list[dict[str, Any]]
) -> dict[str, Any]:
    """What the till shows once a visit is open: who, their standing, their rewards."""
    member = ledger.read_member(visit["customer_id"], profile["merchant_id"], consistent=True)
    balance, lifetime, tier_list = member.balance, member.lifetime, profile["tiers"]
    return {
        "visit_id": visit["visit_id"],
        "opened_at": visit["created_at"],
        "expires_at": clock.iso(int(visit["expires_at"])),
        "redeem_until": clock.iso(int(visit.get("redeem_until", 0))),
        "customer": {"customer_id": visit["customer_id"], "display_name": visit["customer_name"]},
        "balance": balance,
        "lifetime_points": lifetime,
        "tier": tiers.tier_for(lifetime, tier_list),
        "next_tier": tiers.next_tier(lifetime, tier_list),
        "earned": bool(visit.get("earned", False)),
        # What the till needs to preview the award as the API will make it.
        "first_visit": member.new,
        "stamps": member.stamps,
        "stamp_card": merchants.public_stamp_card(profile.get("stamp_card")),
        "time_zone": promotions.time_zone_of(profile),
        "promotions": promotions.current(profile),
        "rewards": rewards.active_rewards(all_rewards),
        "affordable_rewards": rewards.affordable(all_rewards, balance, lifetime, tier_list),
        "locked_rewards": rewards.locked(all_rewards, lifetime, tier_list),
    }


def open_visit(staff_id: str, merchant_id: str, raw_token: str) -> dict[str, Any]:
    """The camera read the customer's signed QR token: consume it and open a 10-minute
    visit bound to (business, customer)."""
    profile, all_rewards = _business(staff_id, merchant_id)
    now_s = clock.now_s()
    token = qr_tokens.verify(qr_secret.signing_key(), raw_token.strip(), now_s)
    if token.customer_id == staff_id:
        raise errors.SelfScan()
    visit = _new_visit(merchant_id, token.customer_id, token.token_id, staff_id, now_s)
    refused = store.open_visit(visit, _marker(token, profile, visit_id=visit["visit_id"]), staff_id)
    if refused == "token_used":
        raise errors.TokenUsed()
    if refused == "not_staff":
        raise errors.Forbidden()
    return _visit_answer(visit, profile, all_rewards)


def request_visit(staff_id: str, merchant_id: str, code: str) -> dict[str, Any]:
    """The till typed a customer's 6-digit code: consume the code and ask the customer
    (their My code screen shows the business's name: Allow / Not me). Reveals nothing of
    the customer; the till follows the request with `visit_request`."""
    profile, _ = _business(staff_id, merchant_id)
    # A failure slot of the till's, the business's and its owner's (429 once spent); every
    # refusal below keeps them spent, which is what locks a guesser out.
    attempt = limits.attempt_code(staff_id, merchant_id, profile["owner_id"])
    now_s = clock.now_s()
    item = store.get_short_code(code.strip())
    if item is None or int(item["expires_at"]) <= now_s:
        raise errors.CodeRefused()
    try:
        token = qr_tokens.verify(qr_secret.signing_key(), item["token"], now_s)
    except errors.DomainError:
        raise errors.CodeRefused() from None
    if token.customer_id == staff_id:
        attempt.give_back()
        raise errors.SelfScan()
    decide_by = now_s + config.APPROVAL_TTL_SECONDS
    request = {
        "request_id": ids.new_id("a"),
        "merchant_id": merchant_id,
        "customer_id": token.customer_id,
        "token_id": token.token_id,
        "staff_id": staff_id,
        "status": "waiting",
        "decide_by": decide_by,
        "slots": attempt.to_item(),
        "created_at": clock.iso(now_s),
        "expires_at": decide_by + config.VISIT_TTL_SECONDS,  # TTL: tidied up later
    }
    refused = store.request_approval(
        request, _marker(token, profile, approval_id=request["request_id"])
    )
    if refused == "token_used":
        raise errors.CodeRefused()
    if refused == "not_staff":
        attempt.give_back()
        raise errors.Forbidden()
    return _request_answer(request, None)


def _request_answer(request: dict[str, Any], visit: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "request_id": request["request_id"],
        "status": "approved" if visit else "waiting",
        "expires_at": clock.iso(int(request["decide_by"])),
        "visit": visit,
    }


def visit_request(staff_id: str, merchant_id: str, request_id: str) -> dict[str, Any]:
    """The till asks how its typed-code request stands: still waiting, or the visit the
    customer allowed. Declined and ignored requests are `code_refused`, like a wrong code."""
    profile, all_rewards = _business(staff_id, merchant_id)
    request = store.get_approval(merchant_id, request_id)
    if request is None:
        raise errors.NotFound()
    if request.get("status") == "allowed":
        visit = store.get_visit(merchant_id, request["visit_id"], fresh=True)
        if visit is None:
            raise errors.NotFound()
        return _request_answer(request, _visit_answer(visit, profile, all_rewards))
    if _waiting(request):
        return _request_answer(request, None)
    raise errors.CodeRefused()

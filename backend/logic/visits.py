"""QR tokens issued to customers and the visits that consume them at the till."""

from __future__ import annotations

from typing import Any

from backend import clock, config
from backend.dal import ledger as store
from backend.dal import merchants as merchant_store
from backend.dal import qr_secret, users
from backend.logic import access, errors, ids, ledger, merchants, promotions, qr_tokens, rewards
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


def token_status(customer_id: str, token_id: str) -> dict[str, Any]:
    """Whether the caller's token was scanned, where, and what happened in that visit."""
    expires_at = qr_tokens.token_id_expiry(qr_secret.signing_key(), token_id, customer_id)
    marker = store.used_marker(token_id)
    if marker is None or marker.get("customer_id") != customer_id:
        status = "pending" if expires_at > clock.now_s() else "expired"
        return {
            "token_id": token_id,
            "status": status,
            "merchant": None,
            "activity": [],
            "balance": None,
            "stamps": None,
        }
    visit = store.get_visit(marker["merchant_id"], marker["visit_id"], fresh=True) or {}
    member = ledger.read_member(customer_id, marker["merchant_id"], consistent=True)
    return {
        "token_id": token_id,
        "status": "scanned",
        "merchant": {"merchant_id": marker["merchant_id"], "name": marker.get("merchant_name", "")},
        "activity": [_activity(a) for a in visit.get("activity", [])],
        "balance": member.balance,
        "stamps": member.stamps,
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


def _resolve_token(raw: str, now_s: int) -> qr_tokens.QrToken:
    key = qr_secret.signing_key()
    text = raw.strip()
    if qr_tokens.SHORT_CODE.match(text):
        item = store.get_short_code(text)
        if item is None:
            raise errors.TokenInvalid("No customer code matches these digits.")
        if int(item["expires_at"]) <= now_s:
            raise errors.TokenExpired()
        text = item["token"]
    return qr_tokens.verify(key, text, now_s)


def open_visit(staff_id: str, merchant_id: str, raw_token: str) -> dict[str, Any]:
    """Consume a customer's token and open a 10-minute visit bound to (business, customer)."""
    access.require_staff(merchant_id, staff_id)
    loaded = merchant_store.load(merchant_id)
    if loaded is None:
        raise errors.NotFound()
    profile, all_rewards = loaded
    now_s = clock.now_s()
    token = _resolve_token(raw_token, now_s)
    if token.customer_id == staff_id:
        raise errors.SelfScan()
    customer = users.get_profile(token.customer_id) or {}
    visit_id = ids.new_id("v")
    expires_at = now_s + config.VISIT_TTL_SECONDS
    visit = {
        "visit_id": visit_id,
        "merchant_id": merchant_id,
        "customer_id": token.customer_id,
        "customer_name": customer.get("display_name", "Customer"),
        "token_id": token.token_id,
        "staff_id": staff_id,
        "expires_at": expires_at,
        "earned": False,
        "activity": [],
        "created_at": clock.iso(now_s),
    }
    marker = {
        "token_id": token.token_id,
        "customer_id": token.customer_id,
        "merchant_id": merchant_id,
        "merchant_name": profile["name"],
        "visit_id": visit_id,
        # Kept a day for the customer's "was it scanned?" screen; the token itself is dead
        # after 60 s whatever happens to this item.
        "expires_at": token.expires_at + 24 * 3600,
    }
    refused = store.open_visit(visit, marker, staff_id)
    if refused == "token_used":
        raise errors.TokenUsed()
    if refused == "not_staff":
        raise errors.Forbidden()
    member = ledger.read_member(token.customer_id, merchant_id, consistent=True)
    balance, lifetime, tier_list = member.balance, member.lifetime, profile["tiers"]
    return {
        "visit_id": visit_id,
        "opened_at": visit["created_at"],
        "expires_at": clock.iso(expires_at),
        "customer": {"customer_id": token.customer_id, "display_name": visit["customer_name"]},
        "balance": balance,
        "lifetime_points": lifetime,
        "tier": tiers.tier_for(lifetime, tier_list),
        "next_tier": tiers.next_tier(lifetime, tier_list),
        "earned": False,
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

"""One-time QR tokens: HMAC-SHA256-signed, short-lived, bound to one customer.

Token:    e1.<kid>.<sub>.<token_id>.<sig>
token_id: q_<expiry: 7 base32 chars><nonce: 12><tag: 10>

`kid` names the signing key (a hash of it), so a token from another deployment is told
apart from a tampered one. The token id carries its own expiry and a tag bound to the
customer, so `GET /qr-tokens/{id}` can answer "pending"/"expired" and refuse strangers
without any database item; issuing a token writes nothing but the short-code item.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from backend.logic.errors import NotFound, TokenExpired, TokenForeign, TokenInvalid

VERSION = "e1"
_B32 = "0123456789abcdefghjkmnpqrstvwxyz"
_TOKEN_ID = re.compile(r"^q_[0-9a-hjkmnp-tv-z]{29}$")
_SUB = re.compile(r"^[A-Za-z0-9-]{1,64}$")
SHORT_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class QrToken:
    """A verified token's contents."""

    customer_id: str
    token_id: str
    expires_at: int  # epoch seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b32(value: int, width: int) -> str:
    out = []
    for _ in range(width):
        value, rem = divmod(value, 32)
        out.append(_B32[rem])
    return "".join(reversed(out))


def _b32_decode(text: str) -> int:
    value = 0
    for ch in text:
        value = value * 32 + _B32.index(ch)
    return value


def key_id(key: bytes) -> str:
    """A short, public name for a signing key."""
    return _b64(hashlib.sha256(b"epoint-kid:" + key).digest())[:8]


def _id_tag(key: bytes, customer_id: str, core: str) -> str:
    mac = hmac.new(key, f"id|{customer_id}|{core}".encode(), hashlib.sha256).digest()
    return _b32(int.from_bytes(mac[:7], "big") >> 6, 10)


def _signature(key: bytes, signed: str) -> str:
    return _b64(hmac.new(key, signed.encode(), hashlib.sha256).digest())


def issue(key: bytes, customer_id: str, now_s: int, ttl_s: int) -> tuple[str, QrToken]:
    """A fresh signed token for `customer_id`, valid `ttl_s` seconds."""
    expires_at = now_s + ttl_s
    core = _b32(expires_at, 7) + _b32(secrets.randbits(60), 12)
    token_id = f"q_{core}{_id_tag(key, customer_id, core)}"
    signed = f"{VERSION}.{key_id(key)}.{customer_id}.{token_id}"
    return f"{signed}.{_signature(key, signed)}", QrToken(customer_id, token_id, expires_at)


def verify(key: bytes, token: str, now_s: int) -> QrToken:
    """The token's contents, or the reason it is refused (invalid, foreign, expired)."""
    parts = token.strip().split(".")
    if len(parts) != 5 or parts[0] != VERSION:
        raise TokenInvalid()
    _, kid, customer_id, token_id, sig = parts
    if not _SUB.match(customer_id) or not _TOKEN_ID.match(token_id):
        raise TokenInvalid()
    if not hmac.compare_digest(kid, key_id(key)):
        raise TokenForeign()
    signed = f"{VERSION}.{kid}.{customer_id}.{token_id}"
    if not hmac.compare_digest(sig, _signature(key, signed)):
        raise TokenInvalid()
    expires_at = _b32_decode(token_id[2:9])
    if expires_at <= now_s:
        raise TokenExpired()
    return QrToken(customer_id, token_id, expires_at)


def token_id_expiry(key: bytes, token_id: str, customer_id: str) -> int:
    """Expiry of a token id the caller owns; 404 for ids that are not theirs (no probing)."""
    if not _TOKEN_ID.match(token_id):
        raise NotFound()
    core, tag = token_id[2:21], token_id[21:]
    if not hmac.compare_digest(tag, _id_tag(key, customer_id, core)):
        raise NotFound()
    return _b32_decode(core[:7])


def new_short_code() -> str:
    """A random 6-digit fallback code (uniqueness is enforced by a conditional write)."""
    return f"{secrets.randbelow(1_000_000):06d}"

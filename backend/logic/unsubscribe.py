"""One-click unsubscribe links: signed, so they work without signing in and do only what
they say, for whom they say.

A link names one thing to stop (its `Topic`: receipts from one business, all receipts,
reminders; for addresses without an account, staff invitations or all mail) and whom it
is about (the customer's id, or the address), and carries an HMAC-SHA256 of exactly that
under a key from Secrets Manager (`UnsubscribeSigningSecret`; only the notifier, which
signs, and the unsubscribe page, which checks, may read it). Change one character of the
link and it is refused; a link made for one customer cannot name another. Following a
link only turns mail off, never on, and never reveals whether an address has an account.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from backend import clock, config
from backend.dal import mail, secrets
from backend.dal import merchants as merchant_store
from backend.logic import errors

# What a link can stop, and the fields that name whom: u = customer, m = business, e = address.
_FIELDS = {
    "receipts_at": {"w", "u", "m"},  # receipts from one business
    "receipts": {"w", "u"},  # every receipt
    "reminders": {"w", "u"},
    "invitations": {"w", "e"},  # staff invitations to an address (it may have no account)
    "mail": {"w", "e"},  # anything at all to an address (after an account's deletion)
}
_MAX_FIELD = 320  # the longest email address there can be


@dataclass(frozen=True)
class Topic:
    """What one link stops: `what` for the customer `user_id` (at `merchant_id`), or for
    the address `email`."""

    what: str
    user_id: str = ""
    merchant_id: str = ""
    email: str = ""

    def payload(self) -> dict[str, str]:
        data = {"w": self.what}
        if self.user_id:
            data["u"] = self.user_id
        if self.merchant_id:
            data["m"] = self.merchant_id
        if self.email:
            data["e"] = self.email
        return data


def _key() -> bytes:
    return secrets.secret_string(config.UNSUBSCRIBE_SECRET_ARN).encode()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(body: str) -> str:
    # Domain-separated, so no other signed value of this deployment can pass as a link.
    return _b64(hmac.new(_key(), b"unsubscribe\x00" + body.encode(), hashlib.sha256).digest())


def token(topic: Topic) -> str:
    """The signed token for `topic` (what the link's `token` parameter holds)."""
    body = _b64(json.dumps(topic.payload(), separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_signature(body)}"


def link(topic: Topic) -> str:
    """The unsubscribe URL for `topic`: a page (GET) and the one-click endpoint (POST)."""
    return f"{config.UNSUBSCRIBE_URL}?{urlencode({'token': token(topic)})}"


def read(value: str | None) -> Topic:
    """The topic a token names, if its signature holds and it is well formed; UnsubscribeLinkInvalid if not."""
    body, _, signature = (value or "").strip().partition(".")
    if not body or not signature or len(value or "") > 2048:
        raise errors.UnsubscribeLinkInvalid()
    if not hmac.compare_digest(_signature(body).encode(), signature.encode()):
        raise errors.UnsubscribeLinkInvalid()
    try:
        data: Any = json.loads(_unb64(body))
    except ValueError as error:  # signed by us, so only a key change could get here
        raise errors.UnsubscribeLinkInvalid() from error
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise errors.UnsubscribeLinkInvalid()
    what = data.get("w", "")
    if set(data) != _FIELDS.get(what) or not all(0 < len(v) <= _MAX_FIELD for v in data.values()):
        raise errors.UnsubscribeLinkInvalid()
    return Topic(what, data.get("u", ""), data.get("m", ""), data.get("e", ""))


def describe(topic: Topic) -> str:
    """What the topic is, as the page says it: 'receipts from Café Rosa'."""
    if topic.what == "receipts_at":
        business = merchant_store.get_profile(topic.merchant_id) or {}
        return f"receipts from {business.get('name') or 'this business'}"
    return {
        "receipts": "receipts from every business",
        "reminders": "reminders (rewards within reach, points about to expire)",
        "invitations": "staff invitations to this address",
        "mail": "any email from ePoint to this address",
    }[topic.what]


def stop(topic: Topic) -> None:
    """Turn the topic's mail off. Idempotent; a customer or membership that is gone by now
    changes nothing (and the answer is the same, so it tells nobody anything)."""
    if topic.what == "receipts_at":
        mail.set_business_receipts(topic.user_id, topic.merchant_id, False)
    elif topic.what == "receipts":
        mail.set_customer(topic.user_id, {"mail_receipts": False})
    elif topic.what == "reminders":
        mail.set_customer(topic.user_id, {"mail_reminders": False})
    else:
        mail.opt_out(topic.email, topic.what, clock.iso())

"""Idempotency keys: a retried request returns the first response and writes nothing.

The record is written in the same transaction as the effect (see dal.ledger.commit), so a
crash between "did it" and "remembered it" is impossible.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from backend import clock, config
from backend.dal import ledger as store
from backend.logic.errors import IdempotencyKeyReused, MissingIdempotencyKey

_KEY = re.compile(r"^[A-Za-z0-9_\-:.]{8,128}$")


@dataclass(frozen=True)
class Idempotency:
    """One balance-changing request's key, scoped to its caller, and its fingerprint."""

    caller_id: str
    key: str
    fingerprint: str

    def record(self, status: int, body: dict[str, Any], now_s: int) -> store.IdempotencyRecord:
        """What remembers this request's answer for 24 h (written with the change itself)."""
        return store.IdempotencyRecord(
            caller_id=self.caller_id,
            key=self.key,
            fingerprint=self.fingerprint,
            status=status,
            body=json.dumps(body, separators=(",", ":")),
            expires_at=now_s + config.IDEMPOTENCY_TTL_SECONDS,
        )

    def earlier(self) -> dict[str, Any] | None:
        """The record of an earlier request with this key, if one succeeded and is still kept."""
        return store.get_idempotency(self.caller_id, self.key, clock.now_s())

    def replay(self, record: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The stored (status, body); 422 if the key was used for a different request."""
        if record.get("fingerprint") != self.fingerprint:
            raise IdempotencyKeyReused()
        return int(record["status"]), json.loads(record["body"])


def from_request(
    caller_id: str, key: str | None, method: str, path: str, body: str | None
) -> Idempotency:
    """Validate the header and fingerprint the request (method, path, canonical body)."""
    if not key or not _KEY.match(key):
        raise MissingIdempotencyKey()
    try:
        canonical = json.dumps(json.loads(body or "null"), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body or ""
    digest = hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()
    return Idempotency(caller_id, key, digest)

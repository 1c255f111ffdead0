"""The local cloud's "email": messages Cognito would send, kept for the developer to read.

Codes land here (and in a log line) instead of an inbox; the gateway shows them at
`GET /dev/outbox`. Only the local cloud has an outbox: deployed, Cognito emails them.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict, dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """One message Cognito would have emailed."""

    to: str
    subject: str
    body: str
    code: str
    purpose: str  # "sign_up" | "forgot_password"
    sent_at: float


class Outbox:
    """Thread-safe list of sent messages, newest last."""

    def __init__(self, messages: list[Message] | None = None) -> None:
        self._lock = threading.Lock()
        self._messages: list[Message] = list(messages or [])

    def deliver(self, to: str, subject: str, body: str, code: str, purpose: str) -> Message:
        """Record a message and log it (the log line is how a terminal user sees the code)."""
        message = Message(to, subject, body, code, purpose, time.time())
        with self._lock:
            self._messages.append(message)
            del self._messages[:-500]  # a dev outbox, not an archive
        log.warning("outbox: %s to %s: %s", purpose, to, body)
        return message

    def messages(self, to: str | None = None) -> list[Message]:
        """Messages, newest first, optionally only those to one address."""
        with self._lock:
            found = [m for m in self._messages if to is None or m.to.lower() == to.lower()]
        return found[::-1]

    def to_json(self) -> list[dict[str, object]]:
        """Plain data for persistence and `/dev/outbox?format=json` (oldest first)."""
        with self._lock:
            return [asdict(m) for m in self._messages]

    @classmethod
    def from_json(cls, data: list[dict[str, object]]) -> Outbox:
        """Rebuild from `to_json` output."""
        return cls([Message(**m) for m in data])  # type: ignore[arg-type]

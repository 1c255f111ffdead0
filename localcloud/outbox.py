"""The local cloud's "email": what Cognito and SES would send, kept for the developer to read.

Cognito's codes (sign-up, password reset) and every email the notifier sends through SES
(receipts, reminders, invitations, deletion confirmations: `localcloud/ses.py` parses the
MIME message SES got) land here instead of an inbox; the gateway shows them at
`GET /dev/outbox`, the app at `/dev/outbox`. Only the local cloud has an outbox: deployed,
Cognito and SES email them.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict, dataclass, field, fields

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """One message Cognito or SES would have emailed."""

    to: str
    subject: str
    body: str  # the plain text
    code: str  # Cognito's code ("" for SES's emails)
    purpose: str  # "sign_up" | "forgot_password" | an email's kind: "receipt", "reminder"...
    sent_at: float
    html: str = ""  # the HTML part (SES's emails)
    headers: dict[str, str] = field(default_factory=dict)  # From, List-Unsubscribe...
    delivery: str = "delivered"  # or "bounced" / "complained" (SES's mailbox simulator)


class Outbox:
    """Thread-safe list of sent messages, newest last."""

    def __init__(self, messages: list[Message] | None = None) -> None:
        self._lock = threading.Lock()
        self._messages: list[Message] = list(messages or [])

    def _keep(self, message: Message) -> Message:
        with self._lock:
            self._messages.append(message)
            del self._messages[:-500]  # a dev outbox, not an archive
        return message

    def deliver(self, to: str, subject: str, body: str, code: str, purpose: str) -> Message:
        """Record a code message and log it (the log line is how a terminal user sees the code)."""
        message = self._keep(Message(to, subject, body, code, purpose, time.time()))
        log.warning("outbox: %s to %s: %s", purpose, to, body)
        return message

    def deliver_email(
        self,
        to: str,
        subject: str,
        text: str,
        html: str,
        headers: dict[str, str],
        purpose: str,
        delivery: str = "delivered",
    ) -> Message:
        """Record an email SES sent (its text and HTML parts, headers, kind)."""
        message = Message(to, subject, text, "", purpose, time.time(), html, headers, delivery)
        log.warning("outbox: %s to %s: %s (%s)", purpose, to, subject, delivery)
        return self._keep(message)

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
        """Rebuild from `to_json` output (saved before a field existed: its default)."""
        known = {f.name for f in fields(Message)}
        return cls([Message(**{k: v for k, v in m.items() if k in known}) for m in data])  # type: ignore[arg-type]

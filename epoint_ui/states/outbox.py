"""The local cloud's outbox (the emails Cognito would send), for developers."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import httpx
import reflex as rx

from epoint_ui.settings import get_settings
from epoint_ui.states.reader import reader


@dataclasses.dataclass
class OutboxMessage:
    """One message the local cloud 'sent'."""

    recipient: str = ""
    subject: str = ""
    code: str = ""
    purpose: str = ""
    sent: str = ""


class OutboxState(rx.State):
    """Messages in the local outbox, newest first."""

    messages: list[OutboxMessage] = []
    available: bool = False
    error: str = ""

    @rx.event
    async def load(self):
        """The developer opens the outbox."""
        url = get_settings().outbox_url
        self.available = bool(url)
        if not url:
            return
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                response = await client.get(url, params={"format": "json"})
                response.raise_for_status()
                data = response.json()
        except (httpx.HTTPError, ValueError):
            self.error = "The local outbox isn't answering."
            return
        items = data if isinstance(data, list) else data.get("messages", [])
        shown = await reader(self)
        self.messages = [
            OutboxMessage(
                recipient=str(m.get("to", "")),
                subject=str(m.get("subject", "")),
                code=str(m.get("code", "")),
                purpose=str(m.get("purpose", "")).replace("_", " "),
                sent=shown.moment(
                    datetime.fromtimestamp(float(m.get("sent_at", 0)), UTC).isoformat()
                ),
            )
            for m in reversed(items)
        ]
        self.error = ""

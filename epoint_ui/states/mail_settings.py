"""Profile's email settings: receipts (all, or business by business) and reminders.

The API keeps them (`GET/PATCH /me/preferences`, docs/api.md); the notifier reads them
before every email. Opening Profile also tells the API the language and time zone this
browser reads in, so emails format money and dates as the pages do.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.states.api_call import call_api
from epoint_ui.states.reader import reader


class MailSettingsState(rx.State):
    """The switches on Profile's "Emails" card."""

    receipts: bool = True
    reminders: bool = True
    businesses: list[dict[str, Any]] = []
    loaded: bool = False
    error: str = ""
    saving: str = ""  # which switch is being saved: "receipts", "reminders" or a business id
    saved: str = ""

    def _show(self, settings: dict[str, Any]) -> None:
        self.receipts = bool(settings.get("receipts", True))
        self.reminders = bool(settings.get("reminders", True))
        self.businesses = [
            {
                "merchant_id": str(b["merchant_id"]),
                "merchant_name": str(b.get("merchant_name") or ""),
                "receipts": bool(b.get("receipts", True)),
            }
            for b in settings.get("businesses") or []
        ]
        self.loaded = True

    @rx.event
    async def load(self):
        """Profile opens: the settings, and the browser's language and time zone for emails."""
        self.saved = ""
        person = await reader(self)

        async def fetch(client: ApiClient) -> None:
            settings = await client.get("/me/preferences")
            language, zone = person.locale, person.time_zone
            if (settings.get("language"), settings.get("time_zone")) != (language, zone):
                settings = await client.patch(
                    "/me/preferences", {"language": language, "time_zone": zone}
                )
            self._show(settings)

        async for update in call_api(self, fetch):
            yield update

    async def _change(self, what: str, path: str, body: dict[str, Any], saved: str):
        self.saved = ""

        async def send(client: ApiClient) -> None:
            answer = await client.patch(path, body)
            if path == "/me/preferences":
                self._show(answer)
            else:
                self.businesses = [
                    {**b, "receipts": bool(answer.get("receipts"))}
                    if b["merchant_id"] == answer.get("merchant_id")
                    else b
                    for b in self.businesses
                ]
            self.saved = saved

        async for update in call_api(self, send, working="saving", busy=what):
            yield update

    @rx.event
    async def set_receipts(self, on: bool):
        """Receipts by email, from every business, on or off."""
        saved = "Receipts by email are on." if on else "No more receipts by email."
        async for update in self._change("receipts", "/me/preferences", {"receipts": on}, saved):
            yield update

    @rx.event
    async def set_reminders(self, on: bool):
        """Reminders (a reward within reach, points about to expire) on or off."""
        saved = "Reminders are on." if on else "No more reminders by email."
        async for update in self._change("reminders", "/me/preferences", {"reminders": on}, saved):
            yield update

    @rx.event
    async def set_business_receipts(self, merchant_id: str, on: bool):
        """Receipts from one business on or off."""
        name = next(
            (b["merchant_name"] for b in self.businesses if b["merchant_id"] == merchant_id), ""
        )
        saved = f"Receipts from {name} are {'on' if on else 'off'}."
        path = f"/me/preferences/businesses/{merchant_id}"
        async for update in self._change(merchant_id, path, {"receipts": on}, saved):
            yield update

"""The owner's exports: the business's ledger and its members for a date range, as CSV.

The API answers a page at a time (up to 500 items, each call short whatever the business's
size); this reads every page and writes the file (`epoint_ui.spreadsheets`), which the
browser downloads.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.spreadsheets import csv_text
from epoint_ui.states.api_call import call_api
from epoint_ui.states.merchant import MerchantState
from loyalty import forms
from loyalty.money import format_cents

PAGE = 500  # the API's largest page: the fewest calls

LEDGER_COLUMNS = [
    ("created_at", "date (UTC)"),
    ("tx_id", "transaction"),
    ("kind", "kind"),
    ("customer_id", "customer id"),
    ("customer_name", "customer"),
    ("points", "points"),
    ("balance_after", "balance after"),
    ("stamps", "stamps"),
    ("stamps_after", "stamps after"),
    ("promotion_name", "promotion"),
    ("promotion_points", "promotion points"),
    ("amount", "purchase amount"),
    ("currency", "currency"),
    ("reward_name", "reward"),
    ("reverses", "reverses"),
    ("reason", "reason"),
    ("note", "note"),
    ("claim_id", "receipt code"),
    ("staff_id", "by (staff id)"),
]
MEMBER_COLUMNS = [
    ("customer_id", "customer id"),
    ("display_name", "customer"),
    ("balance", "balance"),
    ("lifetime_points", "lifetime points"),
    ("tier", "tier"),
    ("stamps", "stamps"),
    ("last_activity_at", "last visit (UTC)"),
    ("member_since", "member since (UTC)"),
    ("expiring_points", "points expiring"),
    ("expires_on", "expire on"),
]

Fetch = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


async def every_page(fetch: Fetch, params: dict[str, Any]) -> list[dict[str, Any]]:
    """All the items of a paged list (`fetch(params)` is one GET)."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await fetch({**params, "limit": PAGE, "cursor": cursor})
        items.extend(page.get("items") or [])
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def ledger_row(entry: dict[str, Any], currency: str) -> dict[str, Any]:
    """A ledger entry as one row of the ledger file."""
    amount = entry.get("amount_cents")
    return {
        **entry,
        "amount": format_cents(int(amount)) if amount is not None else "",
        "currency": currency if amount is not None else "",
    }


def member_row(member: dict[str, Any]) -> dict[str, Any]:
    """A member as one row of the members file."""
    expiry = member.get("expiry") or {}
    return {
        **member,
        "expiring_points": expiry.get("points", ""),
        "expires_on": expiry.get("expires_on", ""),
    }


def _slug(name: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", name.lower()))[:40] or "business"


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


class ExportsState(rx.State):
    """The date range and the two downloads."""

    first_day: str = ""
    last_day: str = ""
    downloading: str = ""  # "ledger" or "members" while its pages are read
    error: str = ""
    done: str = ""

    @rx.event
    def load(self):
        """The page opens on this month so far."""
        today = _today()
        self.first_day = self.first_day or today[:8] + "01"
        self.last_day = self.last_day or today
        self.error = self.done = ""

    @rx.event
    def set_first_day(self, value: str):
        """The first day of the range."""
        self.first_day = value

    @rx.event
    def set_last_day(self, value: str):
        """The last day of the range (included)."""
        self.last_day = value

    @rx.event
    async def download(self, kind: str):
        """Reads every page of the ledger (or the members) of the range; the browser saves it."""
        if self.downloading:
            return
        days, problem = forms.date_range(self.first_day, self.last_day)
        if days is None:
            self.error, self.done = problem or "", ""
            return
        first, last = days
        kind = "members" if kind == "members" else "ledger"

        async def build(client: ApiClient) -> Any:
            merchant = await self.get_state(MerchantState)
            base = f"/merchants/{merchant.merchant_id}"
            params = {"from": first, "to": last}
            if kind == "ledger":
                entries = await every_page(
                    lambda p: client.get(f"{base}/exports/ledger", p), params
                )
                text = csv_text(LEDGER_COLUMNS, (ledger_row(e, merchant.currency) for e in entries))
                count = f"{len(entries)} ledger entries"
            else:
                people = await every_page(lambda p: client.get(f"{base}/members", p), params)
                text = csv_text(MEMBER_COLUMNS, (member_row(m) for m in people))
                count = f"{len(people)} members active in those days"
            self.done = f"Downloaded {count}."
            name = f"{_slug(merchant.business_name)}-{kind}-{first}-to-{last}.csv"
            return rx.download(data=text, filename=name, mime_type="text/csv")

        self.done = ""
        async for update in call_api(self, build, working="downloading", busy=kind):
            yield update

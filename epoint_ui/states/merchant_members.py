"""The owner's members page: who holds a card here, and adjusting one card by hand."""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient, ApiError, new_idempotency_key
from epoint_ui.formatting import Reader
from epoint_ui.states.api_call import call_api
from epoint_ui.states.merchant import MerchantState
from epoint_ui.states.reader import reader
from epoint_ui.states.views import expiry_line
from loyalty import catalog, forms

PAGE = 25
REASONS = list(catalog.ADJUSTMENT_REASONS.items())
ADJUST_PROBLEMS = {
    "not_found": "This customer has no card here any more.",
}


def _row(member: dict[str, Any], shown: Reader) -> dict[str, Any]:
    return {
        "customer_id": str(member.get("customer_id", "")),
        "name": str(member.get("display_name") or "Customer"),
        "balance": int(member.get("balance") or 0),
        "lifetime": int(member.get("lifetime_points") or 0),
        "tier": str(member.get("tier", "")),
        "last_activity": shown.moment(member.get("last_activity_at")),
        "expiry": expiry_line(member.get("expiry"), shown),
    }


class MembersState(rx.State):
    """The members list and the adjustment form (one customer at a time)."""

    items: list[dict[str, Any]] = []
    next_cursor: str = ""
    loading: bool = False
    error: str = ""
    notice: str = ""

    adjusting: str = ""  # the customer whose card is being adjusted
    direction: str = "add"
    points: str = ""
    reason: str = "goodwill"
    note: str = ""
    adjust_key: str = ""
    saving: bool = False
    adjust_error: str = ""

    @rx.var
    def adjust_open(self) -> bool:
        """Whether the adjustment form is showing."""
        return bool(self.adjusting)

    @rx.var
    def adjust_row(self) -> dict[str, Any]:
        """The member being adjusted."""
        return next((r for r in self.items if r["customer_id"] == self.adjusting), {})

    @rx.var
    def adjust_preview(self) -> str:
        """The balance after the adjustment, or what is wrong with it."""
        row = self.adjust_row
        if not row or not self.points.strip():
            return ""
        body, problem = forms.adjustment(self.direction, self.points, self.reason, self.note)
        if problem or body is None:
            return problem or ""
        after = int(row["balance"]) + int(body["points"])
        if after < 0:
            return f"{row['name']} has {row['balance']} points: you can remove at most that."
        return f"{row['name']}'s balance goes from {row['balance']} to {after} points."

    async def _fetch(self, client: ApiClient, cursor: str = "") -> None:
        merchant = await self.get_state(MerchantState)
        if not merchant.merchant_id or not merchant.is_owner:
            return
        page = await client.get(
            f"/merchants/{merchant.merchant_id}/members",
            {"limit": PAGE, "cursor": cursor or None},
        )
        shown = await reader(self)
        rows = [_row(m, shown) for m in page.get("items", [])]
        self.items = [*self.items, *rows] if cursor else rows
        self.next_cursor = str(page.get("next_cursor") or "")

    @rx.event
    async def load(self):
        """The first page of members."""
        self.notice = ""
        async for update in call_api(self, self._fetch, working="loading"):
            yield update

    @rx.event
    async def load_more(self):
        """The next page of members."""
        async for update in call_api(
            self, lambda client: self._fetch(client, self.next_cursor), working="loading"
        ):
            yield update

    @rx.event
    def ask_adjust(self, customer_id: str):
        """Opens the adjustment form for one member (one key per form)."""
        self.adjusting = customer_id
        self.direction, self.points, self.reason, self.note = "add", "", "goodwill", ""
        self.adjust_key = new_idempotency_key()
        self.adjust_error = self.notice = ""

    @rx.event
    def cancel_adjust(self):
        """Closes the form without changing anything."""
        self.adjusting = ""
        self.adjust_error = ""

    @rx.event
    def set_direction(self, value: str | list[str]):
        """Add or remove."""
        self.direction = value if value in ("add", "remove") else "add"

    @rx.event
    def set_points(self, value: str):
        """The number of points."""
        self.points = value

    @rx.event
    def set_reason(self, value: str):
        """Goodwill or correction."""
        self.reason = value

    @rx.event
    def set_note(self, value: str):
        """The note kept with the entry."""
        self.note = value

    @rx.event
    async def adjust(self):
        """Sends the adjustment; a retry after a failure the API may have acted on reuses its key."""
        if self.saving or not self.adjusting:
            return
        body, problem = forms.adjustment(self.direction, self.points, self.reason, self.note)
        if body is None:
            self.adjust_error = problem or ""
            return
        customer_id, name = self.adjusting, self.adjust_row.get("name", "the customer")

        async def send(client: ApiClient) -> None:
            merchant = await self.get_state(MerchantState)
            result = await client.post(
                f"/merchants/{merchant.merchant_id}/members/{customer_id}/adjustments",
                body,
                idempotency_key=self.adjust_key,
            )
            balance = int(result.get("balance", 0))
            self.items = [
                {**r, "balance": balance} if r["customer_id"] == customer_id else r
                for r in self.items
            ]
            points = int((result.get("transaction") or {}).get("points", 0))
            self.notice = f"{points:+d} points for {name}: their balance is now {balance}."
            self.adjusting = ""

        def refused(exc: ApiError) -> str:
            if exc.status is not None and exc.status < 500:
                self.adjust_key = new_idempotency_key()  # a definite answer: a new action next
            return ADJUST_PROBLEMS.get(exc.code, exc.message)

        async for update in call_api(
            self, send, working="saving", error="adjust_error", on_error=refused
        ):
            yield update

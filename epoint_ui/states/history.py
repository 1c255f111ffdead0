"""History: the customer's ledger, newest first, by business, a page at a time."""

from __future__ import annotations

import dataclasses

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.states.api_call import call_api
from epoint_ui.states.reader import reader
from epoint_ui.states.views import HistoryRow, history_row

PAGE_SIZE = 20
DISPUTE_REASON = "The customer says they did not make this redemption."


@dataclasses.dataclass
class BusinessOption:
    """A business the customer can filter the history by."""

    merchant_id: str = ""
    name: str = ""
    currency: str = ""


class HistoryState(rx.State):
    """The customer's ledger entries."""

    rows: list[HistoryRow] = []
    options: list[BusinessOption] = []
    merchant_id: str = ""
    page: int = 1
    has_older: bool = False
    loaded: bool = False
    loading: bool = False
    disputing: str = ""
    error: str = ""
    notice: str = ""
    # Cursors of the pages already seen, so "Newer" goes back without refetching state.
    _cursors: list[str] = []
    _next_cursor: str = ""

    async def _fetch(self, client: ApiClient, cursor: str) -> None:
        answer = await client.get(
            "/transactions",
            {"merchant_id": self.merchant_id, "limit": PAGE_SIZE, "cursor": cursor},
        )
        items = answer.get("items", [])
        by_id = {str(t.get("tx_id")): t for t in items}
        currency = {o.merchant_id: o.currency for o in self.options}
        shown = await reader(self)
        self.rows = [
            history_row(t, by_id, shown, currency.get(str(t.get("merchant_id")), "EUR"))
            for t in items
        ]
        self._next_cursor = answer.get("next_cursor") or ""
        self.has_older = bool(self._next_cursor)
        self.loaded = True

    def _show(self, cursor: str):
        return call_api(self, lambda client: self._fetch(client, cursor), working="loading")

    async def _list_businesses(self, client: ApiClient) -> None:
        wallet = await client.get("/wallet")
        self.options = [
            BusinessOption(
                str(m.get("merchant_id", "")),
                str(m.get("merchant_name", "")),
                str(m.get("currency", "EUR")),
            )
            for m in wallet.get("memberships", [])
        ]

    @rx.event
    async def load(self):
        """The customer opens History."""
        self.page, self._cursors = 1, [""]
        async for update in call_api(self, self._list_businesses):
            yield update
        async for update in self._show(""):
            yield update

    @rx.event
    async def filter_by(self, merchant_id: str):
        """The customer picks a business (or all of them)."""
        self.merchant_id = merchant_id
        self.page, self._cursors = 1, [""]
        async for update in self._show(""):
            yield update

    @rx.event
    async def older(self):
        """The customer asks for the next (older) page."""
        if not self._next_cursor:
            return
        # Reassigned, not mutated in place, so Redis-backed state always saves it.
        self._cursors = [*self._cursors, self._next_cursor]
        self.page += 1
        async for update in self._show(self._next_cursor):
            yield update

    @rx.event
    async def newer(self):
        """The customer goes back to the previous (newer) page."""
        if len(self._cursors) <= 1:
            return
        self._cursors = self._cursors[:-1]
        self.page -= 1
        async for update in self._show(self._cursors[-1]):
            yield update

    @rx.event
    async def dispute(self, tx_id: str, merchant_id: str):
        """The customer reports a redemption as not theirs: the business's owner sees it."""
        self.notice = ""

        async def send(client: ApiClient) -> None:
            await client.post(
                f"/transactions/{tx_id}/dispute",
                {"merchant_id": merchant_id, "reason": DISPUTE_REASON},
            )
            self.rows = [
                dataclasses.replace(r, disputable=False, disputed=True) if r.tx_id == tx_id else r
                for r in self.rows
            ]
            self.notice = "Reported. The business's owner sees it and can give the points back."

        async for update in call_api(self, send, working="disputing", busy=tx_id):
            yield update

"""The business's ledger: every transaction, newest first, and reversing one (a refund)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient, new_idempotency_key
from epoint_ui.formatting import Reader
from epoint_ui.states.api_call import call_api
from epoint_ui.states.merchant import MerchantState
from epoint_ui.states.reader import reader
from epoint_ui.states.views import change_detail, stamp_line
from loyalty import catalog

KINDS = {
    "all": "All",
    "earn": "Awards",
    "redeem": "Redemptions",
    "stamp_redeem": "Stamp cards",
    "reversal": "Reversals",
    "adjustment": "Adjustments",
    "expiry": "Expiries",
}
REVERSE_PROBLEMS = {
    "points_already_spent": "This can't be reversed: the customer already spent these points. Their balance would go below zero.",
    "stamps_already_spent": "This can't be reversed: this purchase's stamp already went into a free reward. Reverse that reward first.",
    "already_reversed": "This transaction was already reversed.",
    "not_reversible": "A reversal cannot itself be reversed.",
    "account_closed": "This customer deleted their account: their balance is closed, so nothing can be refunded to or taken from it.",
}


def _row(tx: dict[str, Any], currency: str, shown: Reader) -> dict[str, Any]:
    """A transaction as the ledger shows it (money and time as `shown` reads them)."""
    amount = tx.get("amount_cents")
    reason = catalog.ADJUSTMENT_REASONS.get(str(tx.get("reason")), "")
    detail = {
        "earn": f"Purchase of {shown.money(int(amount), currency)}" if amount else "Purchase",
        "redeem": f"Redeemed {tx.get('reward_name') or 'points'}",
        "stamp_redeem": f"Stamp card: gave the {tx.get('reward_name') or 'free reward'}"
        f" ({-int(tx.get('stamps') or 0)} stamps)",
        "reversal": f"Reversal of {tx.get('reverses') or 'a transaction'}",
        "closure": "Account deleted: balance closed",
        "adjustment": f"Adjusted by the owner ({reason.lower() or 'no reason'})"
        + (f": {tx['note']}" if tx.get("note") else ""),
        "expiry": "Points expired (no visit within the expiry period)",
    }.get(str(tx.get("kind")), "")
    detail = " · ".join(part for part in (detail, change_detail(tx)) if part)
    if tx.get("claim_id"):
        detail += f" · receipt code {tx['claim_id']}"
    return {
        "tx_id": str(tx.get("tx_id", "")),
        "kind": str(tx.get("kind", "")),
        "customer": str(tx.get("customer_name") or "A customer"),
        "detail": detail,
        "points": f"{int(tx.get('points', 0)):+d}",
        "when": shown.moment(tx.get("created_at")),
        "reversed": bool(tx.get("reversed_by")),
        "reversible": tx.get("kind") in ("earn", "redeem", "stamp_redeem")
        and not tx.get("reversed_by"),
        # Points for one of the business's own people, and the customer's word against a
        # transaction: what an owner watches for staff fraud.
        "staff_customer": bool(tx.get("customer_is_staff")),
        "dispute": (
            f"Disputed by the customer: {tx.get('dispute_reason') or 'no reason given'}"
            if tx.get("disputed_at")
            else ""
        ),
    }


class LedgerState(rx.State):
    """The ledger list, its filter and the reverse confirmation."""

    items: list[dict[str, Any]] = []
    kind: str = "all"
    next_cursor: str = ""
    loading: bool = False
    error: str = ""

    confirm_tx: str = ""
    reverse_key: str = ""
    reversing: bool = False
    reverse_error: str = ""
    notice: str = ""

    @rx.var
    def confirm_open(self) -> bool:
        """Whether the reverse confirmation is showing."""
        return bool(self.confirm_tx)

    @rx.var
    def confirm_row(self) -> dict[str, Any]:
        """The transaction the merchant is about to reverse."""
        return next((r for r in self.items if r["tx_id"] == self.confirm_tx), {})

    async def _fetch(self, client: ApiClient, cursor: str = "") -> None:
        merchant = await self.get_state(MerchantState)
        if not merchant.merchant_id:
            return
        page = await client.get(
            f"/merchants/{merchant.merchant_id}/transactions",
            {
                "kind": None if self.kind == "all" else self.kind,
                "cursor": cursor or None,
                "limit": 25,
            },
        )
        shown = await reader(self)
        rows = [_row(tx, merchant.currency, shown) for tx in page.get("items", [])]
        self.items = [*self.items, *rows] if cursor else rows
        self.next_cursor = str(page.get("next_cursor") or "")

    def _load(self, cursor: str = ""):
        return call_api(self, lambda client: self._fetch(client, cursor), working="loading")

    @rx.event
    async def load(self):
        """Shows the newest transactions."""
        self.notice = ""
        async for update in self._load():
            yield update

    @rx.event
    async def filter_by(self, kind: str | list[str]):
        """Shows only one kind of transaction (or all)."""
        self.kind = kind if isinstance(kind, str) and kind in KINDS else "all"
        async for update in self._load():
            yield update

    @rx.event
    async def load_more(self):
        """Shows the next, older page."""
        async for update in self._load(self.next_cursor):
            yield update

    @rx.event
    def ask_reverse(self, tx_id: str):
        """Opens the confirmation for reversing one transaction (one key per confirmation)."""
        self.confirm_tx = tx_id
        self.reverse_key = new_idempotency_key()
        self.reverse_error = ""
        self.notice = ""

    @rx.event
    def cancel_reverse(self):
        """Closes the confirmation without reversing anything."""
        self.confirm_tx = ""
        self.reverse_error = ""

    @rx.event
    async def reverse(self):
        """Reverses the confirmed transaction; a retry after a failure reuses its key."""
        if self.reversing or not self.confirm_tx:
            return

        async def send(client: ApiClient) -> None:
            merchant = await self.get_state(MerchantState)
            result = await client.post(
                f"/merchants/{merchant.merchant_id}/transactions/{self.confirm_tx}/reverse",
                {},
                idempotency_key=self.reverse_key,
            )
            tx = result.get("transaction") or {}
            moved = int(tx.get("stamps") or 0)
            stamps = (
                f", {stamp_line(moved, int(tx.get('stamps_after') or 0), int(tx['stamps_needed']))}"
                if moved and tx.get("stamps_needed")
                else ""
            )
            self.notice = (
                f"Reversed: {int(tx.get('points', 0)):+d} points{stamps}, the customer's balance"
                f" is now {int(result.get('balance', 0))}. Transaction {tx.get('tx_id', '')}."
            )
            self.confirm_tx = ""

        async for update in call_api(
            self, send, working="reversing", error="reverse_error", problems=REVERSE_PROBLEMS
        ):
            yield update
        if not self.confirm_tx:  # reversed: show the reversal, and the original as reversed
            async for update in call_api(self, self._fetch):
                yield update

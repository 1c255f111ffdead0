"""Receipts' claim codes at the till: a sale closed without a scan (the customer forgot
their phone), the code to print or write on the receipt, and the recent codes (void one
when its sale is refunded before the customer claimed it)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.formatting import Reader
from epoint_ui.states.api_call import call_api
from epoint_ui.states.merchant import MerchantState
from epoint_ui.states.reader import reader
from loyalty import claim_codes, earning, forms
from loyalty.money import format_cents, parse_cents

STATUS = {"open": "Open", "claimed": "Claimed", "voided": "Voided", "expired": "Expired"}
VOID_PROBLEMS = {
    "claim_code_used": "The customer already claimed this code: reverse their entry in the "
    "ledger instead."
}


def _row(item: dict[str, Any], shown: Reader) -> dict[str, Any]:
    return {
        "claim_id": str(item.get("claim_id", "")),
        "amount": shown.money(int(item.get("amount_cents") or 0), str(item.get("currency", ""))),
        "issued": shown.moment(item.get("issued_at")),
        "valid_until": shown.moment(item.get("valid_until")),
        "status": STATUS.get(str(item.get("status")), str(item.get("status", ""))),
        "open": item.get("status") == "open",
    }


class ReceiptCodeState(rx.State):
    """The till's receipt code: the amount typed, the code issued, and the recent codes."""

    amount: str = ""
    amount_error: str = ""
    issuing: bool = False
    error: str = ""
    code: str = ""  # the code just issued, shown large until the next sale
    code_amount: str = ""
    code_valid_until: str = ""
    code_claim_id: str = ""

    items: list[dict[str, Any]] = []
    next_cursor: str = ""
    loading: bool = False
    voiding: str = ""
    list_error: str = ""
    notice: str = ""

    @rx.var
    def preview(self) -> str:
        """What the receipt will say the purchase is worth at the customer's base rate."""
        cents = parse_cents(self.amount)
        if not cents:
            return ""
        return (
            f"The customer claims the points for {format_cents(cents)} within "
            f"{claim_codes.VALID_DAYS} days, on the Claim points page of ePoint."
        )

    @rx.event
    def set_amount(self, value: str):
        """The cashier types the purchase total."""
        self.amount = value
        self.amount_error = ""

    @rx.event
    async def issue(self, form: dict[str, str]):
        """Closes the sale without a scan: a code for this amount, shown to print."""
        if self.issuing:
            return
        cents, problem = forms.purchase_amount(form.get("amount", self.amount))
        if problem:
            self.amount_error = problem
            return

        async def send(client: ApiClient) -> None:
            merchant = await self.get_state(MerchantState)
            rule = merchant.business.get("earning_rule") or {}
            try:
                earning.points_for_purchase(cents, rule, 100)
            except earning.BelowMinimum:
                self.amount_error = (
                    f"Purchases under {format_cents(int(rule.get('min_purchase_cents', 0)))} "
                    f"{merchant.currency} earn no points."
                )
                return
            issued = await client.post(
                f"/merchants/{merchant.merchant_id}/claim-codes", {"amount_cents": cents}
            )
            self.code = str(issued.get("code", ""))
            shown = await reader(self)
            self.code_amount = shown.money(cents, merchant.currency)
            self.code_valid_until = shown.moment(issued.get("valid_until"))
            self.code_claim_id = str(issued.get("claim_id", ""))
            self.amount = ""

        async for update in call_api(self, send, working="issuing"):
            yield update

    @rx.event
    def done(self):
        """The code is on the receipt: ready for the next sale."""
        self.code = self.code_amount = self.code_valid_until = self.code_claim_id = ""
        self.error = self.amount_error = ""

    async def _fetch(self, client: ApiClient, cursor: str = "") -> None:
        merchant = await self.get_state(MerchantState)
        if not merchant.merchant_id:
            return
        page = await client.get(
            f"/merchants/{merchant.merchant_id}/claim-codes",
            {"limit": 25, "cursor": cursor or None},
        )
        shown = await reader(self)
        rows = [_row(item, shown) for item in page.get("items", [])]
        self.items = [*self.items, *rows] if cursor else rows
        self.next_cursor = str(page.get("next_cursor") or "")

    @rx.event
    async def load(self):
        """The receipts page: the codes of the last days, newest first."""
        self.notice = ""
        async for update in call_api(self, self._fetch, working="loading", error="list_error"):
            yield update

    @rx.event
    async def load_more(self):
        """The next, older page of codes."""
        async for update in call_api(
            self,
            lambda client: self._fetch(client, self.next_cursor),
            working="loading",
            error="list_error",
        ):
            yield update

    @rx.event
    async def void(self, claim_id: str):
        """The sale was refunded before the customer claimed its points: the code stops working."""
        if self.voiding:
            return

        async def send(client: ApiClient) -> None:
            merchant = await self.get_state(MerchantState)
            await client.delete(f"/merchants/{merchant.merchant_id}/claim-codes/{claim_id}")
            self.notice = "Code voided: the customer can no longer claim it."
            if claim_id == self.code_claim_id:
                self.done()
            await self._fetch(client)

        async for update in call_api(
            self,
            send,
            working="voiding",
            busy=claim_id,
            error="list_error",
            problems=VOID_PROBLEMS,
        ):
            yield update

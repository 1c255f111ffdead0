"""The till: scan a customer's code, then award points for a purchase or redeem a reward.

Never award twice: every balance change carries an Idempotency-Key. The key is
rendered into the page with the button, so a double tap sends the same key twice and
the API answers the second with the first's result; it is kept after a network
failure or a server error, so tapping again retries the same action; it is replaced
only once the API has given a definite answer (or the merchant changes the amount).
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient, ApiError, new_idempotency_key
from epoint_ui.components.scanner import camera_problem_message
from epoint_ui.formatting import DEFAULT_LOCALE, money
from epoint_ui.states.api_call import call_api
from epoint_ui.states.merchant import MerchantState
from epoint_ui.states.reader import reader
from loyalty import earning, forms
from loyalty.money import parse_cents

_SHORT_CODE = re.compile(r"^\d{6}$")

# What the merchant reads when a code cannot open a visit, by the API's error code.
SCAN_PROBLEMS = {
    "token_used": "This code was already used. Ask the customer to show a fresh code and scan again.",
    "token_expired": "This code has expired (a code lasts one minute). Ask the customer to show a fresh code.",
    "token_invalid": "That is not an ePoint customer code. Ask the customer to open My code in ePoint.",
    "token_foreign": "That code comes from another ePoint installation and cannot be used here.",
    "not_found": "No customer code matches that. Check the 6 digits, or scan the QR code instead.",
    "self_scan": "You cannot scan your own code at a business you work for.",
    "forbidden": "You are not staff of this business any more, so you cannot scan here.",
}
VISIT_EXPIRED = (
    "This visit has expired (a visit lasts 10 minutes). Scan the customer's code again to continue."
)
RETRY_SAFE = " Tap the button again to retry: the customer will not be credited twice."


def _retryable(exc: ApiError) -> bool:
    """The request may or may not have reached the API: retrying with the same key is safe."""
    return exc.status is None or exc.status >= 500


def _seconds_until(iso: str) -> float:
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return 600.0
    return (when - datetime.now(UTC)).total_seconds()


class ScanState(rx.State):
    """One visit at the till: the customer, the purchase, redemptions and their receipts."""

    visit_id: str = ""
    expires_at: str = ""
    customer_name: str = ""
    balance: int = 0
    lifetime_points: int = 0
    tier_name: str = ""
    multiplier_pct: int = 100
    earned: bool = False
    rewards: list[dict[str, Any]] = []
    points_per_unit: int = 1
    min_purchase_cents: int = 0
    currency: str = ""
    locale: str = DEFAULT_LOCALE  # how the merchant reads money (their browser's language)

    code: str = ""
    opening: bool = False
    scan_error: str = ""
    camera_problem: str = ""
    visit_expired: bool = False

    amount: str = ""
    amount_error: str = ""
    awarding: bool = False
    award_key: str = ""
    redeeming: str = ""
    redeem_key: str = ""
    action_error: str = ""
    receipts: list[dict[str, Any]] = []

    @rx.var
    def visit_open(self) -> bool:
        """Whether a customer has been scanned and the visit is still usable."""
        return bool(self.visit_id) and not self.visit_expired

    @rx.var
    def preview(self) -> str:
        """What the typed amount will earn, computed as the API will."""
        if not parse_cents(self.amount):
            return ""
        cents, problem = forms.purchase_amount(self.amount)
        if cents is None:
            return problem or ""
        rule = {
            "points_per_unit": self.points_per_unit,
            "min_purchase_cents": self.min_purchase_cents,
        }
        try:
            points = earning.points_for_purchase(cents, rule, self.multiplier_pct)
        except earning.BelowMinimum:
            under = money(self.min_purchase_cents, self.currency, self.locale)
            return f"Purchases under {under} earn no points."
        return (
            f"{money(cents, self.currency, self.locale)} earns {points} points at {self.tier_name}."
        )

    @rx.var
    def affordable(self) -> list[dict[str, Any]]:
        """The active rewards the customer's balance covers, cheapest first."""
        return sorted(
            (r for r in self.rewards if int(r.get("cost_points", 0)) <= self.balance),
            key=lambda r: int(r.get("cost_points", 0)),
        )

    @rx.event
    def set_code(self, value: str):
        """The merchant types the customer's short code."""
        self.code = value

    @rx.event
    def set_amount(self, value: str):
        """The merchant types the purchase total; a new amount is a new action (new key)."""
        if value != self.amount:
            self.award_key = new_idempotency_key()
        self.amount = value
        self.amount_error = ""

    @rx.event
    def camera_failed(self, kind: str, message: str):
        """The scanner could not start the camera: explain, and point at the typed code."""
        self.camera_problem = camera_problem_message(kind)

    @rx.event
    async def scanned(self, value: str):
        """The camera read a QR code: open a visit with it."""
        if self.opening or self.visit_open or not value:
            return
        async for update in self._open(value):
            yield update

    @rx.event
    async def enter_code(self, form: dict[str, str]):
        """The merchant typed the customer's 6-digit code."""
        code = re.sub(r"\s", "", form.get("code", self.code))
        if not _SHORT_CODE.match(code):
            self.scan_error = "Enter the 6 digits shown under the customer's QR code."
            return
        async for update in self._open(code):
            yield update

    async def _open(self, token: str):
        async def open_visit(client: ApiClient):
            merchant = await self.get_state(MerchantState)
            visit = await client.post(f"/merchants/{merchant.merchant_id}/visits", {"token": token})
            self.locale = (await reader(self)).locale
            self._start_visit(visit, merchant.business.get("earning_rule") or {}, merchant.currency)
            return ScanState.watch_expiry

        async for update in call_api(
            self, open_visit, working="opening", error="scan_error", problems=SCAN_PROBLEMS
        ):
            yield update

    def _start_visit(self, visit: dict[str, Any], rule: dict[str, Any], currency: str) -> None:
        tier = visit.get("tier") or {}
        self.visit_id = str(visit["visit_id"])
        self.expires_at = str(visit.get("expires_at", ""))
        self.customer_name = str((visit.get("customer") or {}).get("display_name", ""))
        self.balance = int(visit.get("balance", 0))
        self.lifetime_points = int(visit.get("lifetime_points", 0))
        self.tier_name = str(tier.get("name", ""))
        self.multiplier_pct = int(tier.get("multiplier_pct", 100))
        self.earned = bool(visit.get("earned", False))
        self.rewards = [_reward_row(r) for r in visit.get("rewards", [])]
        self.points_per_unit = int(rule.get("points_per_unit", 1))
        self.min_purchase_cents = int(rule.get("min_purchase_cents", 0))
        self.currency = currency
        self.visit_expired = False
        self.code = self.amount = self.amount_error = self.action_error = ""
        self.receipts = []
        self.award_key = new_idempotency_key()
        self.redeem_key = new_idempotency_key()

    @rx.event(background=True)
    async def watch_expiry(self):
        """Says so on the page when the open visit runs out, even if nobody taps anything."""
        async with self:
            visit_id, wait = self.visit_id, _seconds_until(self.expires_at)
        await asyncio.sleep(max(wait, 0))
        async with self:
            if self.visit_id == visit_id:
                self.visit_expired = True

    @rx.event
    def new_scan(self):
        """Finishes with this customer: back to the camera for the next one."""
        self.visit_id = self.expires_at = self.customer_name = ""
        self.visit_expired = False
        self.rewards = []
        self.receipts = []
        self.code = self.amount = self.amount_error = self.action_error = self.scan_error = ""

    @rx.event
    async def award(self, form: dict[str, str]):
        """Awards the points for the purchase total in the form (key from the form)."""
        if self.earned or self.awarding or not self.visit_open:
            return
        amount = form.get("amount", self.amount)
        cents, problem = forms.purchase_amount(amount)
        if problem:
            self.amount_error = problem
            return
        key = form.get("key") or self.award_key
        # The typed total can reach us after the tap (the input is debounced): record it
        # now, so that late change is not taken for a new amount with a new key.
        self.amount = amount
        async for update in self._change("earn", {"amount_cents": cents}, key, "awarding"):
            yield update

    @rx.event
    async def redeem(self, reward_id: str, key: str):
        """Redeems one reward; `key` is the one rendered with the button (same on a double tap)."""
        if self.redeeming or not self.visit_open:
            return
        async for update in self._change(
            "redeem", {"reward_id": reward_id}, key or self.redeem_key, "redeeming", reward_id
        ):
            yield update

    async def _change(
        self, action: str, body: dict[str, Any], key: str, working: str, busy: Any = True
    ):
        """POSTs an earn or redeem for the open visit and records its receipt."""

        async def post(client: ApiClient) -> None:
            merchant = await self.get_state(MerchantState)
            result = await client.post(
                f"/merchants/{merchant.merchant_id}/visits/{self.visit_id}/{action}",
                body,
                idempotency_key=key,
            )
            self._record(action, result)
            self._rotate_key(action)

        def refused(exc: ApiError) -> str:
            if exc.code == "visit_expired":
                self.visit_expired = True
                return ""
            if _retryable(exc):
                # The API may have done it: the next tap must resend this very key.
                self._keep_key(action, key)
                return exc.message + RETRY_SAFE
            # A definite refusal: the next tap is a new action with a new key.
            self._rotate_key(action)
            if exc.code == "visit_already_earned":
                self.earned = True
            return exc.message

        async for update in call_api(
            self, post, working=working, busy=busy, error="action_error", on_error=refused
        ):
            yield update

    def _keep_key(self, action: str, key: str) -> None:
        if action == "earn":
            self.award_key = key
        else:
            self.redeem_key = key

    def _rotate_key(self, action: str) -> None:
        if action == "earn":
            self.award_key = new_idempotency_key()
        else:
            self.redeem_key = new_idempotency_key()

    def _record(self, action: str, result: dict[str, Any]) -> None:
        tx = result.get("transaction") or {}
        tier = result.get("tier") or {}
        self.balance = int(result.get("balance", self.balance))
        if tier:
            self.tier_name = str(tier.get("name", self.tier_name))
            self.multiplier_pct = int(tier.get("multiplier_pct", self.multiplier_pct))
        if action == "earn":
            self.earned = True
            self.lifetime_points += int(tx.get("points", 0))
        if any(r["tx_id"] == tx.get("tx_id") for r in self.receipts):
            return  # a replayed answer to a double tap: already on screen
        title = (
            f"Awarded for {money(int(tx.get('amount_cents') or 0), self.currency, self.locale)}"
            if action == "earn"
            else f"Redeemed {tx.get('reward_name') or 'a reward'}"
        )
        self.receipts = [
            {
                "tx_id": str(tx.get("tx_id", "")),
                "title": title,
                "points": f"{int(tx.get('points', 0)):+d}",
                "balance": self.balance,
            },
            *self.receipts,
        ]


def _reward_row(reward: dict[str, Any]) -> dict[str, Any]:
    return {
        "reward_id": str(reward.get("reward_id", "")),
        "name": str(reward.get("name", "")),
        "description": str(reward.get("description", "")),
        "cost_points": int(reward.get("cost_points", 0)),
    }

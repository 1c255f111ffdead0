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
import time
from datetime import UTC, datetime
from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient, ApiError, new_idempotency_key
from epoint_ui.components.scanner import camera_problem_message
from epoint_ui.states.api_call import call_api
from epoint_ui.states.merchant import MerchantState
from epoint_ui.states.views import change_detail, stamp_line
from loyalty import catalog, earning, forms, stamps, tiers
from loyalty.money import format_cents, parse_cents

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


def _epoch(iso: str) -> float | None:
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _seconds_until(iso: str) -> float:
    when = _epoch(iso)
    return 600.0 if when is None else when - datetime.now(UTC).timestamp()


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
    # What the preview needs beyond the rule and the tier: the business's tiers (for
    # tier-only rewards), its stamp card, its promotions on its clock, and the customer's
    # stamps and whether this is their first visit (a welcome bonus).
    tier_list: list[dict[str, Any]] = []
    stamps: int = 0
    stamp_card: dict[str, Any] = {}
    promotions: list[dict[str, Any]] = []
    time_zone: str = catalog.DEFAULT_TIME_ZONE
    first_visit: bool = False
    # The API's clock minus ours when the visit opened: the preview reads the promotions at
    # the API's time (the local cloud's clock may have been moved; ours may be off).
    clock_skew_s: float = 0.0

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
        """What the typed amount will earn (points, the promotion, a stamp), computed as the
        API will: `loyalty.earning.for_purchase` at the API's clock."""
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
            earned = earning.for_purchase(
                cents,
                rule,
                self.multiplier_pct,
                at_s=time.time() + self.clock_skew_s,
                time_zone=self.time_zone,
                offers=self.promotions,
                stamp_card=self.stamp_card or None,
                first_visit=self.first_visit,
            )
        except earning.BelowMinimum:
            minimum = self.min_purchase_cents
            if stamps.running(self.stamp_card or None):
                minimum = int(self.stamp_card.get("min_purchase_cents", 0))
                if not self.stamp_card.get("replaces_points"):
                    minimum = min(minimum, self.min_purchase_cents)
                return f"Purchases under {format_cents(minimum)} {self.currency} earn nothing."
            return f"Purchases under {format_cents(minimum)} {self.currency} earn no points."
        stamp = ""
        if earned.stamps:
            needed = int(self.stamp_card["stamps_needed"])
            stamp = stamp_line(earned.stamps, self.stamps + earned.stamps, needed)
        if self.stamp_card.get("replaces_points") and stamps.running(self.stamp_card):
            return f"{format_cents(cents)} {self.currency} earns {stamp}."
        text = f"{format_cents(cents)} {self.currency} earns {earned.points} points at {self.tier_name}"
        if earned.promotion:
            text += f" with {earned.promotion['name']} (+{earned.promotion_points})"
        return text + (f" and {stamp}." if stamp else ".")

    @rx.var
    def affordable(self) -> list[dict[str, Any]]:
        """The active rewards the customer's balance covers and tier opens, cheapest first."""
        return sorted(
            (
                r
                for r in self.rewards
                if int(r.get("cost_points", 0)) <= self.balance
                and tiers.reaches(self.lifetime_points, r.get("min_tier"), self.tier_list)
            ),
            key=lambda r: int(r.get("cost_points", 0)),
        )

    @rx.var
    def locked(self) -> list[dict[str, Any]]:
        """Rewards for a tier above the customer's, each with the reason."""
        out = []
        for reward in self.rewards:
            reason = tiers.lock_reason(self.lifetime_points, reward.get("min_tier"), self.tier_list)
            if reason:
                out.append({**reward, "reason": reason})
        return out

    @rx.var
    def stamp_slots(self) -> list[bool]:
        """The customer's card as the till draws it: filled and empty stamps."""
        needed = int(self.stamp_card.get("stamps_needed", 0)) if self.stamp_card else 0
        filled = stamps.on_card(self.stamps, needed)
        return [n < filled for n in range(needed)]

    @rx.var
    def stamps_text(self) -> str:
        """'7 of 10 stamps' (and what a full card gives)."""
        if not self.stamp_card:
            return ""
        needed = int(self.stamp_card.get("stamps_needed", 0))
        ready = stamps.rewards_ready(self.stamps, needed)
        text = f"{stamps.on_card(self.stamps, needed)} of {needed} stamps"
        if ready:
            text += f": {self.stamp_card.get('reward_name', 'the reward')} is free today"
        if not self.stamp_card.get("active", True):
            text += " (the card is paused)"
        return text

    @rx.var
    def card_full(self) -> bool:
        """Whether the till offers the stamp card's free reward now."""
        needed = int(self.stamp_card.get("stamps_needed", 0)) if self.stamp_card else 0
        return (
            stamps.running(self.stamp_card or None)
            and stamps.rewards_ready(self.stamps, needed) > 0
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
            business = merchant.business
            self._start_visit(
                visit,
                business.get("earning_rule") or {},
                merchant.currency,
                tier_list=business.get("tiers") or [],
            )
            return ScanState.watch_expiry

        async for update in call_api(
            self, open_visit, working="opening", error="scan_error", problems=SCAN_PROBLEMS
        ):
            yield update

    def _start_visit(
        self,
        visit: dict[str, Any],
        rule: dict[str, Any],
        currency: str,
        *,
        tier_list: list[dict[str, Any]] | None = None,
    ) -> None:
        tier = visit.get("tier") or {}
        opened = _epoch(str(visit.get("opened_at") or ""))
        self.clock_skew_s = opened - time.time() if opened is not None else 0.0
        self.tier_list = list(tier_list or [])
        self.stamps = int(visit.get("stamps") or 0)
        self.stamp_card = dict(visit.get("stamp_card") or {})
        self.promotions = list(visit.get("promotions") or [])
        self.time_zone = str(visit.get("time_zone") or catalog.DEFAULT_TIME_ZONE)
        self.first_visit = bool(visit.get("first_visit", False))
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
        self.stamps, self.stamp_card, self.promotions = 0, {}, []
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
    async def give_card_reward(self, key: str):
        """Gives the stamp card's free reward (a full card's stamps come off)."""
        if self.redeeming or not self.visit_open or not self.card_full:
            return
        async for update in self._change(
            "redeem", {"stamp_card": True}, key or self.redeem_key, "redeeming", "stamp_card"
        ):
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
        self.stamps = int(result.get("stamps", self.stamps))
        if tier:
            self.tier_name = str(tier.get("name", self.tier_name))
            self.multiplier_pct = int(tier.get("multiplier_pct", self.multiplier_pct))
        if action == "earn":
            self.earned = True
            self.first_visit = False
            self.lifetime_points += int(tx.get("points", 0))
        if any(r["tx_id"] == tx.get("tx_id") for r in self.receipts):
            return  # a replayed answer to a double tap: already on screen
        if action == "earn":
            title = f"Awarded for {format_cents(int(tx.get('amount_cents') or 0))} {self.currency}"
        elif tx.get("kind") == "stamp_redeem":
            title = f"Gave the stamp card's {tx.get('reward_name') or 'reward'}"
        else:
            title = f"Redeemed {tx.get('reward_name') or 'a reward'}"
        self.receipts = [
            {
                "tx_id": str(tx.get("tx_id", "")),
                "title": title,
                "points": f"{int(tx.get('points', 0)):+d}",
                "balance": self.balance,
                "detail": change_detail(tx) or stamp_card_detail(tx),
            },
            *self.receipts,
        ]


def stamp_card_detail(tx: dict[str, Any]) -> str:
    """A stamp card's reward on its receipt: the full card it took ('-4 stamps (a full card)')."""
    if tx.get("kind") != "stamp_redeem" or not tx.get("stamps_needed"):
        return ""
    return stamp_line(
        int(tx.get("stamps") or 0), int(tx.get("stamps_after") or 0), int(tx["stamps_needed"])
    )


def _reward_row(reward: dict[str, Any]) -> dict[str, Any]:
    return {
        "reward_id": str(reward.get("reward_id", "")),
        "name": str(reward.get("name", "")),
        "description": str(reward.get("description", "")),
        "cost_points": int(reward.get("cost_points", 0)),
        "min_tier": reward.get("min_tier") or "",
    }

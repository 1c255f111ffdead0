"""The owner's settings: name, category, the earning rule and the tiers, with a preview."""

from __future__ import annotations

import itertools
from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.states.api_call import call_api
from epoint_ui.states.merchant import MerchantState
from epoint_ui.states.merchant_earning import format_cents, parse_cents, points_for_purchase

DEFAULT_TIERS = [
    {"name": "Bronze", "threshold": "0", "multiplier_pct": "100"},
    {"name": "Silver", "threshold": "500", "multiplier_pct": "125"},
    {"name": "Gold", "threshold": "2000", "multiplier_pct": "150"},
]


def _whole(text: str, low: int, high: int) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and low <= int(text) <= high else None


class MerchantSettingsState(rx.State):
    """The settings form, edited as text and checked before it is sent."""

    name: str = ""
    category: str = "other"
    points_per_unit: str = "1"
    min_purchase: str = "0"
    tiers: list[dict[str, str]] = []
    sample_amount: str = "12.50"
    saving: bool = False
    error: str = ""
    saved: str = ""

    @rx.var
    def previews(self) -> list[str]:
        """'A 12.50 purchase earns N points at Silver', one line per tier, as the API computes."""
        cents = parse_cents(self.sample_amount)
        ppu = _whole(self.points_per_unit, 1, 1000)
        if cents is None or ppu is None:
            return []
        minimum = parse_cents(self.min_purchase) or 0
        lines = []
        for tier in self.tiers:
            pct = _whole(tier.get("multiplier_pct", ""), 1, 1000)
            if pct is None:
                continue
            points = 0 if cents < minimum else points_for_purchase(cents, ppu, pct)
            lines.append(
                f"A {format_cents(cents)} purchase earns {points} points at {tier.get('name') or 'this tier'}."
            )
        return lines

    @rx.event
    async def load(self):
        """Fills the form from the current business."""
        merchant = await self.get_state(MerchantState)
        business = merchant.business
        rule = business.get("earning_rule") or {}
        self.name = str(business.get("name", ""))
        self.category = str(business.get("category", "other"))
        self.points_per_unit = str(rule.get("points_per_unit", 1))
        self.min_purchase = format_cents(int(rule.get("min_purchase_cents", 0)))
        self.tiers = [
            {k: str(t.get(k, "")) for k in ("name", "threshold", "multiplier_pct")}
            for t in business.get("tiers") or []
        ] or [dict(t) for t in DEFAULT_TIERS]
        self.error = self.saved = ""

    @rx.event
    def set_name(self, value: str):
        """Edits the business name."""
        self.name = value

    @rx.event
    def set_category(self, value: str):
        """Edits the category."""
        self.category = value

    @rx.event
    def set_points_per_unit(self, value: str):
        """Edits the points per currency unit."""
        self.points_per_unit = value

    @rx.event
    def set_min_purchase(self, value: str):
        """Edits the minimum purchase."""
        self.min_purchase = value

    @rx.event
    def set_sample_amount(self, value: str):
        """Edits the preview's purchase amount."""
        self.sample_amount = value

    @rx.event
    def set_tier(self, index: int, key: str, value: str):
        """Edits one field of one tier."""
        tiers = [dict(t) for t in self.tiers]
        tiers[index][key] = value
        self.tiers = tiers

    @rx.event
    def add_tier(self):
        """Adds an empty tier at the end."""
        self.tiers = [*self.tiers, {"name": "", "threshold": "", "multiplier_pct": "100"}]

    @rx.event
    def remove_tier(self, index: int):
        """Removes one tier (the first, from 0 points, stays)."""
        if index > 0:
            self.tiers = [t for i, t in enumerate(self.tiers) if i != index]

    def _checked(self) -> dict[str, Any] | None:
        """The PATCH body, or None with `error` set to what to fix."""
        ppu = _whole(self.points_per_unit, 1, 1000)
        minimum = parse_cents(self.min_purchase)
        if not self.name.strip():
            self.error = "Give the business a name."
        elif ppu is None:
            self.error = "Points per currency unit must be a whole number from 1 to 1000."
        elif minimum is None:
            self.error = "Enter the minimum purchase as an amount, like 5 or 4.50."
        else:
            tiers = []
            for n, tier in enumerate(self.tiers, start=1):
                threshold = _whole(tier["threshold"], 0, 10_000_000)
                pct = _whole(tier["multiplier_pct"], 100, 1000)
                if not tier["name"].strip() or threshold is None or pct is None:
                    self.error = f"Tier {n} needs a name, a threshold in points and a multiplier from 100 to 1000 percent."
                    return None
                tiers.append(
                    {"name": tier["name"].strip(), "threshold": threshold, "multiplier_pct": pct}
                )
            if not tiers or tiers[0]["threshold"] != 0:
                self.error = "The first tier must start at 0 points, so every customer has a tier."
                return None
            if any(a["threshold"] >= b["threshold"] for a, b in itertools.pairwise(tiers)):
                self.error = "Each tier must need more points than the one before it."
                return None
            return {
                "name": self.name.strip(),
                "category": self.category,
                "earning_rule": {"points_per_unit": ppu, "min_purchase_cents": minimum},
                "tiers": tiers,
            }
        return None

    @rx.event
    async def save(self):
        """Saves the settings."""
        self.error = self.saved = ""
        body = self._checked()
        if body is None:
            return

        async def send(client: ApiClient) -> None:
            merchant = await self.get_state(MerchantState)
            merchant.business = await client.patch(f"/merchants/{merchant.merchant_id}", body)
            self.saved = "Settings saved."

        async for update in call_api(self, send, working="saving"):
            yield update

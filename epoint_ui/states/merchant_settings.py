"""The owner's settings: name, category, the earning rule and the tiers, with a preview."""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.formatting import DEFAULT_LOCALE, money
from epoint_ui.states.api_call import call_api
from epoint_ui.states.merchant import MerchantState
from epoint_ui.states.reader import reader
from loyalty import bounds, catalog, earning, expiry, forms, staff_limits
from loyalty import tiers as tier_rules
from loyalty.money import format_cents, parse_cents

TIER_FIELDS = ("name", "threshold", "multiplier_pct")


def _as_rows(tiers: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Tiers as the form edits them: every field as text."""
    return [{k: str(t.get(k, "")) for k in TIER_FIELDS} for t in tiers]


class MerchantSettingsState(rx.State):
    """The settings form, edited as text and checked before it is sent."""

    name: str = ""
    category: str = "other"
    time_zone: str = catalog.DEFAULT_TIME_ZONE
    points_per_unit: str = "1"
    min_purchase: str = "0"
    tiers: list[dict[str, str]] = []
    staff_max_purchase: str = format_cents(staff_limits.DEFAULTS["max_purchase_cents"])
    staff_daily_points: str = str(staff_limits.DEFAULTS["daily_points"])
    expiry_months: str = ""  # empty: points never expire
    sample_amount: str = "12.50"
    currency: str = "EUR"
    locale: str = DEFAULT_LOCALE  # how the owner reads money (their browser's language)
    saving: bool = False
    error: str = ""
    saved: str = ""

    @rx.var
    def previews(self) -> list[str]:
        """'A €12.50 purchase earns N points at Silver', one line per tier, as the API computes."""
        cents = parse_cents(self.sample_amount)
        ppu = forms.whole_number(self.points_per_unit, bounds.POINTS_PER_UNIT)
        if cents is None or ppu is None:
            return []
        rule = {"points_per_unit": ppu, "min_purchase_cents": parse_cents(self.min_purchase) or 0}
        lines = []
        for tier in self.tiers:
            pct = forms.whole_number(tier.get("multiplier_pct", ""), bounds.MULTIPLIER_PCT)
            if pct is None:
                continue
            try:
                points = earning.points_for_purchase(cents, rule, pct)
            except earning.BelowMinimum:
                points = 0
            amount = money(cents, self.currency, self.locale)
            lines.append(
                f"A {amount} purchase earns {points} points at {tier.get('name') or 'this tier'}."
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
        self.currency = merchant.currency or "EUR"
        self.locale = (await reader(self)).locale
        self.time_zone = str(business.get("time_zone") or catalog.DEFAULT_TIME_ZONE)
        self.points_per_unit = str(rule.get("points_per_unit", 1))
        self.min_purchase = format_cents(int(rule.get("min_purchase_cents", 0)))
        self.tiers = _as_rows(business.get("tiers") or tier_rules.DEFAULT_TIERS)
        limits = staff_limits.of(business.get("staff_limits"))
        self.staff_max_purchase = format_cents(limits["max_purchase_cents"])
        self.staff_daily_points = str(limits["daily_points"])
        months = int(business.get("expiry_months") or 0)
        self.expiry_months = str(months) if months else ""
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
    def set_time_zone(self, value: str):
        """Edits the time zone (promotions run on its clock)."""
        self.time_zone = value

    @rx.event
    def set_points_per_unit(self, value: str):
        """Edits the points per currency unit."""
        self.points_per_unit = value

    @rx.event
    def set_min_purchase(self, value: str):
        """Edits the minimum purchase."""
        self.min_purchase = value

    @rx.event
    def set_staff_max_purchase(self, value: str):
        """Edits the largest purchase staff may award without the owner."""
        self.staff_max_purchase = value

    @rx.event
    def set_staff_daily_points(self, value: str):
        """Edits the points one staff member may award per day."""
        self.staff_daily_points = value

    @rx.event
    def set_expiry_months(self, value: str):
        """Edits the months without a visit after which points expire (empty: never)."""
        self.expiry_months = value

    @rx.var
    def expiry_summary(self) -> str:
        """The policy in words, as the customers' wallets will apply it."""
        months, problem = forms.expiry_months(self.expiry_months)
        if problem:
            return ""
        if months is None:
            return "Points never expire."
        return (
            f"A customer's points expire {months} months after their last visit. Wallets show "
            f"the date {expiry.NOTICE_DAYS} days ahead, and a new or changed policy expires "
            f"nothing for {expiry.NOTICE_DAYS} days."
        )

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
        """Adds an empty tier at the end (up to the most a business may have)."""
        if len(self.tiers) < bounds.TIER_COUNT.high:
            self.tiers = [*self.tiers, {"name": "", "threshold": "", "multiplier_pct": "100"}]

    @rx.event
    def remove_tier(self, index: int):
        """Removes one tier (the first, from 0 points, stays)."""
        if index > 0:
            self.tiers = [t for i, t in enumerate(self.tiers) if i != index]

    def _checked(self) -> dict[str, Any] | None:
        """The PATCH body, or None with `error` set to what to fix."""
        name, problem = forms.business_name(self.name)
        category, category_problem = forms.category(self.category)
        zone, zone_problem = forms.time_zone(self.time_zone)
        rule, rule_problem = forms.earning_rule(self.points_per_unit, self.min_purchase)
        tiers, tiers_problem = forms.tier_list(self.tiers)
        limits, limits_problem = forms.staff_limits(
            self.staff_max_purchase, self.staff_daily_points
        )
        months, expiry_problem = forms.expiry_months(self.expiry_months)
        problem = (
            problem
            or category_problem
            or zone_problem
            or rule_problem
            or tiers_problem
            or limits_problem
            or expiry_problem
        )
        if problem:
            self.error = problem
            return None
        return {
            "name": name,
            "category": category,
            "time_zone": zone,
            "earning_rule": rule,
            "tiers": tiers,
            "staff_limits": limits,
            "expiry_months": months or 0,
        }

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

"""Registering a business: the signed-in user becomes its owner."""

from __future__ import annotations

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.states.api_call import call_api
from epoint_ui.states.merchant import HOME, MerchantState
from epoint_ui.states.merchant_earning import parse_cents


class MerchantRegisterState(rx.State):
    """The register-a-business form."""

    saving: bool = False
    error: str = ""
    name_error: str = ""
    rule_error: str = ""

    @rx.event
    async def register(self, form: dict[str, str]):
        """Registers the business from the form and starts working on it."""
        self.error = self.name_error = self.rule_error = ""
        name = form.get("name", "").strip()
        points = form.get("points_per_unit", "1").strip()
        minimum = parse_cents(form.get("min_purchase", "0") or "0")
        if not name:
            self.name_error = "Give the business a name."
        if not points.isdigit() or not 1 <= int(points) <= 1000:
            self.rule_error = "Points per currency unit must be a whole number from 1 to 1000."
        elif minimum is None:
            self.rule_error = "Enter the minimum purchase as an amount, like 5 or 4.50."
        if self.name_error or self.rule_error:
            return

        async def create(client: ApiClient):
            business = await client.post(
                "/merchants",
                {
                    "name": name,
                    "category": form.get("category") or "other",
                    "currency": form.get("currency") or "EUR",
                    "earning_rule": {
                        "points_per_unit": int(points),
                        "min_purchase_cents": minimum,
                    },
                },
            )
            merchant = await self.get_state(MerchantState)
            await merchant._adopt(client, business)
            return rx.redirect(f"{HOME}/settings")

        async for update in call_api(self, create, working="saving"):
            yield update

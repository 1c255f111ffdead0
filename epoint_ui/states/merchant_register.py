"""Registering a business: the signed-in user becomes its owner."""

from __future__ import annotations

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.states.api_call import call_api
from epoint_ui.states.merchant import HOME, MerchantState
from loyalty import catalog, forms


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
        name, name_problem = forms.business_name(form.get("name", ""))
        category, category_problem = forms.category(form.get("category") or "other")
        currency, currency_problem = forms.currency(
            form.get("currency") or catalog.DEFAULT_CURRENCY
        )
        rule, rule_problem = forms.earning_rule(
            form.get("points_per_unit", "1"), form.get("min_purchase") or "0"
        )
        self.name_error = name_problem or ""
        self.rule_error = rule_problem or ""
        self.error = category_problem or currency_problem or ""
        if self.name_error or self.rule_error or self.error:
            return

        async def create(client: ApiClient):
            business = await client.post(
                "/merchants",
                {"name": name, "category": category, "currency": currency, "earning_rule": rule},
            )
            merchant = await self.get_state(MerchantState)
            await merchant._adopt(client, business)
            return rx.redirect(f"{HOME}/settings")

        async for update in call_api(self, create, working="saving"):
            yield update

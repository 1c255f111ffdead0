"""The business being worked on: which businesses I own or staff, and the current one.

Every merchant page loads through `MerchantState.load_business` after the login guard
(`pages/guard.py: @merchant_page`). The chosen business id lives in the browser's local
storage: it is not secret (the API checks the caller's role on every call) and it
survives reloads and new tabs.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.states.api_call import call_api
from loyalty import catalog

CATEGORIES = list(catalog.CATEGORIES)
CURRENCIES = list(catalog.CURRENCIES)
OWNER_ONLY = "Only the owner of {name} can change its settings, rewards and staff. Ask them if something needs changing."
HOME = "/merchant"


class MerchantState(rx.State):
    """My businesses, the one I am working on, and my role in it."""

    merchant_id: str = rx.LocalStorage("", name="epoint_merchant", sync=True)
    businesses: list[dict[str, str]] = []
    business: dict[str, Any] = {}
    role: str = ""
    loaded: bool = False
    error: str = ""

    @rx.var
    def is_owner(self) -> bool:
        """Whether I own the current business (settings, rewards and staff are owner-only)."""
        return self.role == "owner"

    @rx.var
    def business_name(self) -> str:
        """The current business's name."""
        return str(self.business.get("name", ""))

    @rx.var
    def currency(self) -> str:
        """The current business's currency code."""
        return str(self.business.get("currency", ""))

    @rx.var
    def owner_only_message(self) -> str:
        """Why a staff member sees no settings, rewards or staff pages."""
        return OWNER_ONLY.format(name=self.business_name or "this business")

    async def _refresh(self, client: ApiClient) -> None:
        mine = await client.get("/me/merchants")
        self.businesses = [
            {k: str(v) for k, v in item.items()} for item in mine.get("merchants", [])
        ]
        ids = [b["merchant_id"] for b in self.businesses]
        if self.merchant_id not in ids:
            self.merchant_id = ids[0] if ids else ""
        self.role = next(
            (b["role"] for b in self.businesses if b["merchant_id"] == self.merchant_id), ""
        )
        self.business = (
            await client.get(f"/merchants/{self.merchant_id}") if self.merchant_id else {}
        )

    async def _load(self, client: ApiClient):
        await self._refresh(client)
        if not self.merchant_id and self.router.url.path != HOME:
            return rx.redirect(HOME)
        return None

    @rx.event
    async def load_business(self):
        """Loads my businesses and the current one; with none yet, go register one."""
        async for update in call_api(self, self._load):
            yield update
        self.loaded = True

    @rx.event
    async def switch_to(self, merchant_id: str):
        """Works on another of my businesses from now on."""
        self.merchant_id = merchant_id

        async def switch(client: ApiClient):
            await self._refresh(client)
            return rx.redirect(f"{HOME}/scan")

        async for update in call_api(self, switch):
            yield update

    async def _adopt(self, client: ApiClient, business: dict[str, Any]) -> None:
        """Makes a freshly registered business the current one."""
        self.merchant_id = str(business["merchant_id"])
        await self._refresh(client)


async def current_business(state: rx.State) -> MerchantState:
    """The MerchantState of `state`'s browser (its `merchant_id`, `business` and `role`)."""
    return await state.get_state(MerchantState)

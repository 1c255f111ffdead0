"""The business being worked on: which businesses I own or staff, and the current one.

Every merchant page loads through `MerchantState.load_business` after the login guard
(`pages/guard.py: @merchant_page`): my role at the chosen business (one small call), not my
whole list; the businesses page reads the list a page at a time. The chosen business id lives in the browser's local
storage: it is not secret (the API checks the caller's role on every call) and it
survives reloads and new tabs.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient, ApiError
from epoint_ui.states.api_call import call_api
from loyalty import catalog

CATEGORIES = list(catalog.CATEGORIES)
CURRENCIES = list(catalog.CURRENCIES)
OWNER_ONLY = "Only the owner of {name} can change its settings, rewards and staff. Ask them if something needs changing."
HOME = "/merchant"
PAGE = 20  # businesses per page on the businesses page
LEAVE_PROBLEMS = {
    "owner_cannot_leave": "You own this business, so you cannot leave it.",
    "not_found": "You no longer work there.",
}


class MerchantState(rx.State):
    """My businesses, the one I am working on, and my role in it."""

    merchant_id: str = rx.LocalStorage("", name="epoint_merchant", sync=True)
    # The first page of my businesses (more on request: an account may hold up to 50).
    businesses: list[dict[str, str]] = []
    businesses_cursor: str = ""
    business: dict[str, Any] = {}
    role: str = ""
    loaded: bool = False
    error: str = ""
    notice: str = ""
    loading_more: bool = False
    confirm_leave: str = ""
    leaving: bool = False

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

    @rx.var
    def leave_name(self) -> str:
        """The name of the business I am asked to confirm leaving."""
        return next(
            (b["name"] for b in self.businesses if b["merchant_id"] == self.confirm_leave), ""
        )

    async def _list(self, client: ApiClient) -> None:
        """The first page of my businesses (one call; the API reads their names in one batch)."""
        mine = await client.get("/me/merchants", {"limit": PAGE})
        self.businesses = [_row(item) for item in mine.get("items", [])]
        self.businesses_cursor = mine.get("next_cursor") or ""

    async def _refresh(self, client: ApiClient) -> None:
        """My role at the business I work on (the first of my list when none is chosen or I
        no longer work there), and that business."""
        mine = None
        if self.merchant_id:
            try:
                mine = await client.get(f"/me/merchants/{self.merchant_id}")
            except ApiError as exc:
                if exc.status != 404:
                    raise
        if mine is None:
            await self._list(client)
            mine = self.businesses[0] if self.businesses else None
        self.merchant_id = str(mine["merchant_id"]) if mine else ""
        self.role = str(mine["role"]) if mine else ""
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
        """Loads my role and the current business; with none yet, go register one."""
        async for update in call_api(self, self._load):
            yield update
        self.loaded = True

    @rx.event
    async def load_businesses(self):
        """The businesses page: the first page of my businesses."""
        self.notice = ""
        async for update in call_api(self, self._list):
            yield update

    @rx.event
    async def load_more_businesses(self):
        """The next page of my businesses, below the ones shown."""

        async def more(client: ApiClient) -> None:
            page = await client.get(
                "/me/merchants", {"limit": PAGE, "cursor": self.businesses_cursor}
            )
            self.businesses = self.businesses + [_row(item) for item in page.get("items", [])]
            self.businesses_cursor = page.get("next_cursor") or ""

        async for update in call_api(self, more, working="loading_more"):
            yield update

    @rx.event
    async def switch_to(self, merchant_id: str):
        """Works on another of my businesses from now on."""
        self.merchant_id = merchant_id

        async def switch(client: ApiClient):
            await self._refresh(client)
            return rx.redirect(f"{HOME}/scan")

        async for update in call_api(self, switch):
            yield update

    @rx.event
    def ask_leave(self, merchant_id: str):
        """Asks to confirm leaving a business I staff."""
        self.confirm_leave, self.notice = merchant_id, ""

    @rx.event
    def keep_working(self):
        """Changes my mind: I stay."""
        self.confirm_leave = ""

    @rx.event
    async def leave(self):
        """Leaves the business I confirmed: I can no longer act for it."""
        merchant_id, name = self.confirm_leave, self.leave_name

        async def send(client: ApiClient) -> None:
            await client.delete(f"/me/merchants/{merchant_id}")
            self.confirm_leave = ""
            if self.merchant_id == merchant_id:
                self.merchant_id = ""
                await self._refresh(client)  # lists my businesses and opens the first
            else:
                await self._list(client)
            self.notice = f"You left {name}. Its owner can invite you again."

        async for update in call_api(self, send, working="leaving", problems=LEAVE_PROBLEMS):
            yield update

    async def _adopt(self, client: ApiClient, business: dict[str, Any]) -> None:
        """Makes a freshly registered (or joined) business the current one."""
        self.merchant_id = str(business["merchant_id"])
        await self._refresh(client)


def _row(item: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in item.items()}


async def current_business(state: rx.State) -> MerchantState:
    """The MerchantState of `state`'s browser (its `merchant_id`, `business` and `role`)."""
    return await state.get_state(MerchantState)

"""The wallet: one card per business the customer has points at."""

from __future__ import annotations

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.states.api_call import call_api
from epoint_ui.states.reader import reader
from epoint_ui.states.views import WalletCard, wallet_card


class WalletState(rx.State):
    """The customer's memberships."""

    cards: list[WalletCard] = []
    loaded: bool = False
    loading: bool = False
    error: str = ""

    async def _fetch(self, client: ApiClient) -> None:
        answer = await client.get("/wallet")
        shown = await reader(self)
        self.cards = [wallet_card(m, shown) for m in answer.get("memberships", [])]
        self.loaded = True

    @rx.event
    async def load(self):
        """The customer opens the wallet."""
        async for update in call_api(self, self._fetch, working="loading"):
            yield update

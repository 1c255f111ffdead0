"""The wallet: one card per business the customer has points at."""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui.states.page_load import PageLoad
from epoint_ui.states.views import WalletCard, wallet_card


class WalletState(PageLoad, rx.State):
    """The customer's memberships."""

    cards: list[WalletCard] = []

    @rx.event
    async def load(self):
        """The customer opens the wallet."""
        async for update in self._fetch("/wallet"):
            yield update

    def _show(self, answer: dict[str, Any]) -> None:
        self.cards = [wallet_card(m) for m in answer.get("memberships", [])]

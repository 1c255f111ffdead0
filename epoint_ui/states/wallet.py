"""The wallet: one card per business the customer has points at."""

from __future__ import annotations

import reflex as rx

from epoint_ui.api import ApiError
from epoint_ui.states.session import SessionState, api
from epoint_ui.states.views import WalletCard, wallet_card


class WalletState(rx.State):
    """The customer's memberships."""

    cards: list[WalletCard] = []
    loaded: bool = False
    loading: bool = False
    error: str = ""

    @rx.event
    async def load(self):
        """The customer opens the wallet."""
        session = await self.get_state(SessionState)
        if not session.signed_in:
            return
        self.loading, self.error = True, ""
        yield
        try:
            answer = await (await api(self)).get("/wallet")
        except ApiError as err:
            self.error = err.message
            if err.signed_out:
                yield SessionState.end_session
            return
        finally:
            self.loading = False
        self.cards = [wallet_card(m) for m in answer.get("memberships", [])]
        self.loaded = True

"""The business's figures over the last 7 or 30 days (stamps and points per promotion too)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.states.api_call import call_api
from epoint_ui.states.merchant import MerchantState


class FiguresState(rx.State):
    """Points issued and redeemed, visits and customers, with a daily chart."""

    days: str = "7"
    points_issued: int = 0
    points_redeemed: int = 0
    visits: int = 0
    unique_customers: int = 0
    returning_customers: int = 0
    stamps_issued: int = 0
    stamp_cards_redeemed: int = 0
    promotions: list[dict[str, Any]] = []
    daily: list[dict[str, Any]] = []
    loading: bool = False
    error: str = ""

    @rx.event
    async def load(self):
        """Fetches the figures for the chosen period."""
        async for update in call_api(self, self._fetch, working="loading"):
            yield update

    async def _fetch(self, client: ApiClient) -> None:
        merchant = await self.get_state(MerchantState)
        if not merchant.merchant_id:
            return
        stats = await client.get(
            f"/merchants/{merchant.merchant_id}/stats", {"days": int(self.days)}
        )
        for name in ("points_issued", "points_redeemed", "visits"):
            setattr(self, name, int(stats.get(name, 0)))
        self.unique_customers = int(stats.get("unique_customers", 0))
        self.returning_customers = int(stats.get("returning_customers", 0))
        self.stamps_issued = int(stats.get("stamps_issued", 0))
        self.stamp_cards_redeemed = int(stats.get("stamp_cards_redeemed", 0))
        self.promotions = [
            {
                "name": str(p.get("name", "")),
                "points_issued": int(p.get("points_issued", 0)),
                "purchases": int(p.get("purchases", 0)),
            }
            for p in stats.get("promotions", [])
        ]
        self.daily = [
            {
                "date": str(day.get("date", ""))[5:],
                "issued": int(day.get("points_issued", 0)),
                "redeemed": int(day.get("points_redeemed", 0)),
                "visits": int(day.get("visits", 0)),
            }
            for day in stats.get("daily", [])
        ]

    @rx.event
    async def choose_period(self, days: str | list[str]):
        """Switches between the last 7 and the last 30 days."""
        self.days = "30" if days == "30" else "7"
        async for update in call_api(self, self._fetch, working="loading"):
            yield update

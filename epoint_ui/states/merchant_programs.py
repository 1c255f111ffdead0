"""The owner's programs: the stamp card and the promotions, checked as the API checks them.

Both forms are checked with `loyalty.forms` before they are sent, so the page never sends
what the API would refuse; the promotions run on the business's time zone (Settings).
"""

from __future__ import annotations

import time
from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.states.api_call import call_api
from epoint_ui.states.merchant import MerchantState
from loyalty import bounds, catalog, forms, promotions
from loyalty.money import format_cents

KIND_OPTIONS = [(kind, label) for kind, label in promotions.KINDS.items()]
WEEKDAY_OPTIONS = [(str(n), name) for n, name in enumerate(promotions.WEEKDAYS, start=1)]
DEFAULT_AMOUNT = {"multiplier": "200", "bonus": "20", "welcome": "50"}


def _row(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "promotion_id": str(p.get("promotion_id", "")),
        "name": str(p.get("name", "")),
        "description": str(p.get("description", "")),
        "status": str(p.get("status", "")),
    }


class ProgramsState(rx.State):
    """The stamp card form and the promotions (list, and an add/edit form)."""

    # The stamp card, as typed.
    card_active: bool = False
    card_stamps: str = "10"
    card_min_purchase: str = "0.00"
    card_reward: str = "Free coffee"
    card_replaces_points: bool = False
    card_saving: bool = False
    card_error: str = ""
    card_saved: str = ""

    # The promotions, and the form (editing when `editing_id` is set).
    time_zone: str = catalog.DEFAULT_TIME_ZONE
    promotions: list[dict[str, Any]] = []
    raw: list[dict[str, Any]] = []
    editing_id: str = ""
    form_name: str = ""
    form_kind: str = "multiplier"
    form_amount: str = DEFAULT_AMOUNT["multiplier"]
    form_starts_on: str = ""
    form_ends_on: str = ""
    form_weekdays: list[str] = []
    form_from: str = ""
    form_until: str = ""
    saving: bool = False
    busy_id: str = ""
    error: str = ""
    form_error: str = ""
    notice: str = ""

    @rx.var
    def amount_label(self) -> str:
        """What the amount field holds for the chosen kind."""
        if self.form_kind == "multiplier":
            return "Multiplier in percent (200 = double points)"
        return "Bonus points"

    @rx.var
    def stamp_slots(self) -> list[bool]:
        """An empty card of the size typed, for the card's picture."""
        needed = forms.whole_number(self.card_stamps, bounds.STAMPS_NEEDED)
        return [False] * (needed or 0)

    @rx.var
    def promotions_full(self) -> bool:
        """Whether the business has as many promotions as it may (delete one to add one)."""
        return len(self.promotions) >= promotions.MAX_PROMOTIONS

    # ------------------------------------------------------------ loading

    async def _path(self) -> str:
        merchant = await self.get_state(MerchantState)
        return f"/merchants/{merchant.merchant_id}"

    async def _fetch(self, client: ApiClient) -> None:
        answer = await client.get(f"{await self._path()}/promotions")
        self.time_zone = str(answer.get("time_zone") or catalog.DEFAULT_TIME_ZONE)
        self.raw = list(answer.get("promotions") or [])
        self.promotions = [_row(p) for p in self.raw]

    @rx.event
    async def load(self):
        """Fills the stamp card form from the business and fetches its promotions."""
        merchant = await self.get_state(MerchantState)
        card = merchant.business.get("stamp_card") or {}
        self.card_active = bool(card.get("active", False))
        self.card_stamps = str(card.get("stamps_needed", 10))
        self.card_min_purchase = format_cents(int(card.get("min_purchase_cents", 0)))
        self.card_reward = str(card.get("reward_name", "Free coffee"))
        self.card_replaces_points = bool(card.get("replaces_points", False))
        self.card_error = self.card_saved = self.error = self.notice = ""
        async for update in call_api(self, self._fetch):
            yield update
        self._clear_form()

    # ------------------------------------------------------------ the stamp card

    @rx.event
    def set_card_active(self, value: bool):
        """Runs the stamp card, or pauses it (customers keep their stamps)."""
        self.card_active = bool(value)

    @rx.event
    def set_card_stamps(self, value: str):
        """Edits how many stamps make the free reward."""
        self.card_stamps = value

    @rx.event
    def set_card_min_purchase(self, value: str):
        """Edits the minimum purchase for a stamp."""
        self.card_min_purchase = value

    @rx.event
    def set_card_reward(self, value: str):
        """Edits the free reward's name."""
        self.card_reward = value

    @rx.event
    def set_card_replaces_points(self, value: bool):
        """Runs the card instead of points, or beside them."""
        self.card_replaces_points = bool(value)

    def _checked_card(self) -> dict[str, Any] | None:
        """The stamp card to send, or None with `card_error` set to what to fix."""
        card, problem = forms.stamp_card(
            self.card_active,
            self.card_stamps,
            self.card_min_purchase,
            self.card_reward,
            self.card_replaces_points,
        )
        self.card_error = problem or ""
        return card

    @rx.event
    async def save_card(self):
        """Saves the stamp card."""
        self.card_saved = ""
        card = self._checked_card()
        if card is None:
            return

        async def send(client: ApiClient) -> None:
            merchant = await self.get_state(MerchantState)
            merchant.business = await client.patch(await self._path(), {"stamp_card": card})
            self.card_saved = (
                f"Stamp card saved: {card['stamps_needed']} stamps for a {card['reward_name']}."
                if card["active"]
                else "Stamp card paused: customers keep their stamps."
            )

        async for update in call_api(self, send, working="card_saving", error="card_error"):
            yield update

    # ------------------------------------------------------------ promotions

    def _clear_form(self) -> None:
        self.editing_id = self.form_name = self.form_ends_on = ""
        self.form_from = self.form_until = ""
        self.form_kind = "multiplier"
        self.form_amount = DEFAULT_AMOUNT["multiplier"]
        self.form_weekdays = []
        self.form_starts_on = promotions.today(time.time(), self.time_zone).isoformat()
        self.form_error = ""

    @rx.event
    def set_form_name(self, value: str):
        """Edits the promotion's name."""
        self.form_name = value

    @rx.event
    def set_form_kind(self, value: str):
        """Chooses what the promotion gives (its amount field follows)."""
        if value != self.form_kind:
            self.form_amount = DEFAULT_AMOUNT.get(value, "")
        self.form_kind = value

    @rx.event
    def set_form_amount(self, value: str):
        """Edits the multiplier or the bonus."""
        self.form_amount = value

    @rx.event
    def set_form_starts_on(self, value: str):
        """Edits the first day."""
        self.form_starts_on = value

    @rx.event
    def set_form_ends_on(self, value: str):
        """Edits the last day (empty: no end)."""
        self.form_ends_on = value

    @rx.event
    def toggle_weekday(self, day: str, on: bool):
        """Adds or removes a weekday (none: every day)."""
        days = [d for d in self.form_weekdays if d != day]
        self.form_weekdays = sorted([*days, day] if on else days)

    @rx.event
    def set_form_from(self, value: str):
        """Edits the window's start (empty: all day)."""
        self.form_from = value

    @rx.event
    def set_form_until(self, value: str):
        """Edits the window's end (empty: all day)."""
        self.form_until = value

    @rx.event
    def edit(self, promotion_id: str):
        """Loads one promotion into the form."""
        p = next((p for p in self.raw if p.get("promotion_id") == promotion_id), None)
        if p is None:
            return
        self.editing_id = promotion_id
        self.form_name = str(p.get("name", ""))
        self.form_kind = str(p.get("kind", "multiplier"))
        amount = (
            p.get("multiplier_pct") if self.form_kind == "multiplier" else p.get("bonus_points")
        )
        self.form_amount = str(amount or "")
        self.form_starts_on = str(p.get("starts_on") or "")
        self.form_ends_on = str(p.get("ends_on") or "")
        self.form_weekdays = [str(d) for d in p.get("weekdays") or []]
        self.form_from = str(p.get("from_time") or "")
        self.form_until = str(p.get("until_time") or "")
        self.form_error = self.notice = ""

    @rx.event
    def cancel_edit(self):
        """Back to adding a new promotion."""
        self._clear_form()

    def _checked_promotion(self) -> dict[str, Any] | None:
        """The promotion to send, or None with `form_error` set to what to fix."""
        promotion, problem = forms.promotion(
            self.form_name,
            self.form_kind,
            self.form_amount,
            self.form_starts_on,
            self.form_ends_on,
            [int(d) for d in self.form_weekdays],
            self.form_from,
            self.form_until,
        )
        self.form_error = problem or ""
        return promotion

    @rx.event
    async def save(self):
        """Adds the promotion in the form, or saves the one being edited."""
        self.notice = ""
        body = self._checked_promotion()
        if body is None:
            return

        async def send(client: ApiClient) -> None:
            path = f"{await self._path()}/promotions"
            if self.editing_id:
                saved = await client.patch(f"{path}/{self.editing_id}", body)
            else:
                # A new promotion names only the amount of its kind.
                saved = await client.post(path, {k: v for k, v in body.items() if v is not None})
            self.notice = f"{saved['name']} saved: {saved['description']} ({self.time_zone} time)."
            await self._fetch(client)
            self._clear_form()

        async for update in call_api(self, send, working="saving", error="form_error"):
            yield update

    @rx.event
    async def delete(self, promotion_id: str):
        """Deletes a promotion (entries it applied to keep its name)."""
        self.notice = ""

        async def send(client: ApiClient) -> None:
            await client.delete(f"{await self._path()}/promotions/{promotion_id}")
            await self._fetch(client)
            self.notice = "Promotion deleted."

        async for update in call_api(self, send, working="busy_id", busy=promotion_id):
            yield update

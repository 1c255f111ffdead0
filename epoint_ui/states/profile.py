"""Profile: the customer's display name and email."""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.states.api_call import call_api
from loyalty import forms


class ProfileState(rx.State):
    """The profile form."""

    email: str = ""
    display_name: str = ""
    saved: str = ""
    error: str = ""
    saving: bool = False

    @rx.event
    async def load(self):
        """The customer opens Profile."""
        self.saved = ""

        async def fetch(client: ApiClient) -> None:
            me = await client.get("/me")
            self.email = str(me.get("email", ""))
            self.display_name = str(me.get("display_name", ""))

        async for update in call_api(self, fetch):
            yield update

    @rx.event
    async def save(self, form: dict[str, Any]):
        """The customer saves a new display name."""
        name, problem = forms.display_name(str(form.get("display_name", "")))
        if problem:
            self.error = problem
            return
        self.saved = ""

        async def send(client: ApiClient) -> None:
            me = await client.patch("/me", {"display_name": name})
            self.display_name = str(me.get("display_name", name))
            self.saved = "Saved. Businesses will greet you as " + self.display_name + "."

        async for update in call_api(self, send, working="saving"):
            yield update

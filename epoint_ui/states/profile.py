"""Profile: the customer's display name and email."""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui.api import ApiError
from epoint_ui.states.session import SessionState, api
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
        session = await self.get_state(SessionState)
        if not session.signed_in:
            return
        self.saved, self.error = "", ""
        try:
            me = await (await api(self)).get("/me")
        except ApiError as err:
            self.error = err.message
            if err.signed_out:
                return SessionState.end_session
            return None
        self.email = str(me.get("email", ""))
        self.display_name = str(me.get("display_name", ""))
        return None

    @rx.event
    async def save(self, form: dict[str, Any]):
        """The customer saves a new display name."""
        name, problem = forms.display_name(str(form.get("display_name", "")))
        if problem:
            self.error = problem
            return
        self.saving, self.saved, self.error = True, "", ""
        yield
        try:
            me = await (await api(self)).patch("/me", {"display_name": name})
        except ApiError as err:
            self.error = err.message
            if err.signed_out:
                yield SessionState.end_session
            return
        finally:
            self.saving = False
        self.display_name = str(me.get("display_name", name))
        self.saved = "Saved. Businesses will greet you as " + self.display_name + "."

"""Signing in with email and password."""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui import auth
from epoint_ui.states.session import safe_next, start_session


class SignInState(rx.State):
    """The sign-in form."""

    error: str = ""
    working: bool = False
    unconfirmed_email: str = ""

    @rx.event
    async def sign_in(self, form: dict[str, Any]):
        """The user submits their email and password."""
        email = str(form.get("email", "")).strip()
        password = str(form.get("password", ""))
        if not email or not password:
            self.error = "Enter your email and password."
            return
        self.error, self.unconfirmed_email, self.working = "", "", True
        yield
        try:
            tokens = await auth.sign_in(email, password)
        except auth.AuthError as exc:
            self.error = exc.message
            if exc.code == "UserNotConfirmedException":
                self.unconfirmed_email = email
            return
        finally:
            self.working = False
        await start_session(
            self, tokens, then=safe_next(self.router.url.query_parameters.get("next", ""))
        )

    @rx.event
    async def confirm_instead(self):
        """The user chooses to enter the code for their unconfirmed account."""
        from epoint_ui.states.sign_up import SignUpState

        sign_up = await self.get_state(SignUpState)
        sign_up.email = self.unconfirmed_email
        return rx.redirect("/verify")

"""Signing in with email and password, then, for those who turned it on, an authenticator code."""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui import auth, limits
from epoint_ui.states.session import safe_next, start_session

CODE_EXPIRED = "NotAuthorizedException"  # the code step's 3 minutes are over


class SignInState(rx.State):
    """The sign-in form, and its second step."""

    error: str = ""
    working: bool = False
    unconfirmed_email: str = ""
    # The second step: whose code is awaited. Cognito's challenge session stays here, on
    # the server, like the tokens (it lives 3 minutes); the password is not kept.
    code_for: str = ""
    _challenge: str = ""

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
            async with limits.password_attempt(limits.client_of(self), email):
                tokens = await auth.sign_in(email, password)
        except auth.SecondStepNeeded as needed:
            self.code_for, self._challenge = email, needed.step.session
            return
        except (auth.AuthError, limits.TooManyAttempts) as exc:
            self.error = exc.message
            if isinstance(exc, auth.AuthError) and exc.code == "UserNotConfirmedException":
                self.unconfirmed_email = email
            return
        finally:
            self.working = False
        await self._signed_in(tokens)

    @rx.event
    async def enter_code(self, form: dict[str, Any]):
        """The user types the 6-digit code their authenticator app shows."""
        code = str(form.get("code", "")).strip()
        if len(code) != 6 or not code.isdigit():
            self.error = "Enter the 6-digit code from your authenticator app."
            return
        if not self._challenge:  # e.g. another tab finished this sign-in
            self.code_for, self.error = "", "Please sign in again."
            return
        self.error, self.working = "", True
        yield
        step = auth.SecondStep(self.code_for, self._challenge)
        try:
            await limits.attempt("enter_code", client=limits.client_of(self), email=step.email)
            tokens = await auth.answer_second_step(step, code)
        except (auth.AuthError, limits.TooManyAttempts) as exc:
            if isinstance(exc, auth.AuthError) and exc.code == CODE_EXPIRED:
                self.code_for, self._challenge = "", ""  # back to the password
            self.error = exc.message
            return
        finally:
            self.working = False
        await self._signed_in(tokens)

    @rx.event
    def start_over(self):
        """Back to email and password (another account, or no phone at hand)."""
        self.code_for, self._challenge, self.error = "", "", ""

    async def _signed_in(self, tokens: auth.Tokens) -> None:
        self.code_for, self._challenge = "", ""
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

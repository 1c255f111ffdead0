"""Forgot password: email -> emailed code -> new password."""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui import auth, limits
from epoint_ui.states.session import SessionState


class PasswordResetState(rx.State):
    """The two-step password reset."""

    email: str = ""
    code_sent: bool = False
    error: str = ""
    working: bool = False

    @rx.event
    async def request_code(self, form: dict[str, Any]):
        """The user asks for a reset code."""
        email = str(form.get("email", "")).strip()
        if not email or "@" not in email:
            self.error = "Enter your email address."
            return
        self.error, self.working = "", True
        yield
        try:
            await limits.attempt("reset_password", client=limits.client_of(self), email=email)
            await auth.forgot_password(email)
        except (auth.AuthError, limits.TooManyAttempts) as exc:
            self.error = exc.message
            return
        finally:
            self.working = False
        self.email, self.code_sent = email, True

    @rx.event
    async def set_new_password(self, form: dict[str, Any]):
        """The user enters the code and their new password."""
        code = str(form.get("code", "")).strip()
        password = str(form.get("new_password", ""))
        if len(code) != 6 or not code.isdigit():
            self.error = "Enter the 6-digit code from the email."
            return
        if not all(auth.password_checks(password).values()):
            self.error = (
                "Choose a stronger password: at least 8 characters with upper- and "
                "lower-case letters and a number."
            )
            return
        self.error, self.working = "", True
        yield
        try:
            await limits.attempt("enter_code", client=limits.client_of(self), email=self.email)
            await auth.confirm_forgot_password(self.email, code, password)
        except (auth.AuthError, limits.TooManyAttempts) as exc:
            self.error = exc.message
            return
        finally:
            self.working = False
        self.code_sent = False
        session = await self.get_state(SessionState)
        session.notice = "Your password is changed. Sign in with the new one."
        yield rx.redirect("/sign-in")

    @rx.event
    def start_over(self):
        """The user wants to use another email or get a new code."""
        self.code_sent, self.error = False, ""

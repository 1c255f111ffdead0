"""Creating an account: the sign-up form, then the emailed 6-digit code."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from epoint_ui import auth
from epoint_ui.states.session import SessionState

RESEND_COOLDOWN_S = 30


class SignUpState(rx.State):
    """Sign-up and email verification, one feature."""

    email: str = ""
    display_name: str = ""
    error: str = ""
    working: bool = False
    # Which password rules the typed password meets (the password itself is not kept).
    rule_length: bool = False
    rule_upper: bool = False
    rule_lower: bool = False
    rule_digit: bool = False
    # Verify step.
    code_error: str = ""
    verifying: bool = False
    resend_in: int = 0
    resending: bool = False
    resent: str = ""
    # The password is never kept: it lives in the `sign_up` handler for the one Cognito
    # call, so no state (in memory or in Redis) holds it afterwards. After the code, the
    # user signs in with it.

    @rx.var
    def password_ok(self) -> bool:
        """Whether the typed password meets every rule."""
        return self.rule_length and self.rule_upper and self.rule_lower and self.rule_digit

    @rx.event
    def type_password(self, value: str):
        """The user types a password: show which rules it meets."""
        checks = auth.password_checks(value)
        self.rule_length = checks["length"]
        self.rule_upper = checks["upper"]
        self.rule_lower = checks["lower"]
        self.rule_digit = checks["digit"]

    @rx.event
    async def sign_up(self, form: dict[str, Any]):
        """The user submits the sign-up form."""
        email = str(form.get("email", "")).strip()
        password = str(form.get("password", ""))
        name = str(form.get("display_name", "")).strip()
        if not email or "@" not in email:
            self.error = "Enter your email address."
            return
        if not name:
            self.error = "Enter the name businesses will greet you by."
            return
        if not all(auth.password_checks(password).values()):
            self.error = "Your password doesn't meet all the rules below."
            return
        self.error, self.working = "", True
        yield
        try:
            await auth.sign_up(email, password, name)
        except auth.AuthError as exc:
            self.error = exc.message
            return
        finally:
            self.working = False
        self.email, self.display_name = email, name
        self.code_error, self.resent = "", ""
        yield rx.redirect("/verify")
        yield SignUpState.start_cooldown

    @rx.event
    async def verify(self, form: dict[str, Any]):
        """The user enters the 6-digit code from the email."""
        code = str(form.get("code", "")).strip()
        email = str(form.get("email", "") or self.email).strip()
        if not email:
            self.code_error = "Enter the email address you signed up with."
            return
        if len(code) != 6 or not code.isdigit():
            self.code_error = "Enter the 6-digit code from the email."
            return
        self.email = email
        self.code_error, self.verifying = "", True
        yield
        try:
            await auth.confirm_sign_up(email, code)
        except auth.AuthError as exc:
            self.code_error = exc.message
            return
        finally:
            self.verifying = False
        session = await self.get_state(SessionState)
        session.notice = "Your email is confirmed. Sign in to continue."
        yield rx.redirect("/sign-in")

    @rx.event
    async def resend(self):
        """The user asks for a new code (allowed once the cool-down has passed)."""
        if self.resend_in > 0 or not self.email:
            return
        self.resending, self.code_error, self.resent = True, "", ""
        yield
        try:
            await auth.resend_code(self.email)
        except auth.AuthError as exc:
            self.code_error = exc.message
            return
        finally:
            self.resending = False
        self.resent = f"We sent a new code to {self.email}."
        yield SignUpState.start_cooldown

    @rx.event(background=True)
    async def start_cooldown(self):
        """Counts the resend cool-down down, one second at a time."""
        async with self:
            if self.resend_in > 0:
                return
            self.resend_in = RESEND_COOLDOWN_S
        while True:
            await asyncio.sleep(1)
            async with self:
                self.resend_in = max(0, self.resend_in - 1)
                if self.resend_in == 0:
                    return

"""Creating an account: the sign-up form, then the emailed 6-digit code."""

from __future__ import annotations

import math
import time
from typing import Any

import reflex as rx

from epoint_ui import auth, limits
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
    # The resend cool-down: the page counts `resend_wait` seconds down in the browser
    # (components/countdown.py, restarted when `resend_serial` changes) and says when it is
    # over; the server keeps the deadline and decides.
    cooling_down: bool = False
    resend_wait: int = 0
    resend_serial: int = 0
    resending: bool = False
    resent: str = ""
    # The password is never kept: it lives in the `sign_up` handler for the one Cognito
    # call, so no state (in memory or in Redis) holds it afterwards. After the code, the
    # user signs in with it.
    _resend_at: float = 0.0

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
            await limits.attempt("sign_up", client=limits.client_of(self), email=email)
            # A taken email answers like a new one: this page never tells who has an account.
            await auth.sign_up(email, password, name)
        except (auth.AuthError, limits.TooManyAttempts) as exc:
            self.error = exc.message
            return
        finally:
            self.working = False
        self.email, self.display_name = email, name
        self.code_error, self.resent = "", ""
        self._start_cooldown()
        yield rx.redirect("/verify")

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
            await limits.attempt("enter_code", client=limits.client_of(self), email=email)
            await auth.confirm_sign_up(email, code)
        except (auth.AuthError, limits.TooManyAttempts) as exc:
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
        if time.time() < self._resend_at or not self.email:
            return
        self.resending, self.code_error, self.resent = True, "", ""
        yield
        try:
            await limits.attempt("send_code", client=limits.client_of(self), email=self.email)
            await auth.resend_code(self.email)
        except (auth.AuthError, limits.TooManyAttempts) as exc:
            self.code_error = exc.message
            return
        finally:
            self.resending = False
        self.resent = f"We sent a new code to {self.email}."
        self._start_cooldown()

    def _start_cooldown(self) -> None:
        self._resend_at = time.time() + RESEND_COOLDOWN_S
        self._show_cooldown()

    def _show_cooldown(self) -> None:
        left = self._resend_at - time.time()
        self.cooling_down = left > 0
        self.resend_wait = max(0, math.ceil(left))
        self.resend_serial += 1

    @rx.event
    def show_cooldown(self):
        """The verify page opens (or reopens): count down from what is left now."""
        self._show_cooldown()

    @rx.event
    def cooldown_over(self):
        """The page's countdown reached 0: allow a resend once the deadline has passed."""
        self._show_cooldown()

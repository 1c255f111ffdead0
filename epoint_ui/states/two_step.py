"""Two-step sign-in, from Profile: a code from an authenticator app after the password.

Turning it on or off asks for the password first, so someone who got hold of a signed-in
browser can neither lock the owner out with their own authenticator nor take the second
step away. Setting up shows a QR code (and the secret, to type in) for the app, then asks
for the app's first code. Owners are prompted to turn it on from the merchant home page.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
import segno

from epoint_ui import auth, limits
from epoint_ui.api import ApiClient, ApiError
from epoint_ui.states.api_call import call_api
from epoint_ui.states.session import signed_in_tokens

WRONG_PASSWORD = "That password isn't right."  # noqa: S105 - a sentence, not a password
TURNED_ON = "Two-step sign-in is on. Keep your authenticator app: you need it to sign in."
TURNED_OFF = "Two-step sign-in is off. Your password alone signs you in."


def _refused(exc: auth.AuthError | limits.TooManyAttempts) -> ApiError:
    """A Cognito refusal or a spent limit as the sentence `call_api` shows."""
    if isinstance(exc, limits.TooManyAttempts):
        return ApiError(exc.message, code="too_many_attempts")
    if exc.code in limits.WRONG_PASSWORD:
        return ApiError(WRONG_PASSWORD, code=exc.code)
    return ApiError(exc.message, code=exc.code)


def authenticator_qr(uri: str) -> str:
    """The otpauth link as an SVG QR code in a data URI (rendered here, like My code's)."""
    return segno.make(uri, error="m", micro=False).svg_data_uri(scale=6, border=2)


class TwoStepState(rx.State):
    """Whether sign-in asks for a code, and turning that on or off."""

    on: bool = False
    known: bool = False  # whether `on` was read for this person yet
    # "" (nothing open), "on" or "off" (asking the password to turn it on / off), "scan".
    stage: str = ""
    qr_src: str = ""
    secret: str = ""  # shown too, for apps without a camera
    error: str = ""
    notice: str = ""
    working: bool = False
    # The merchant home page's prompt, once dismissed, stays away in this browser.
    prompt_dismissed: str = rx.LocalStorage("", name="epoint_two_step_prompt")

    @rx.var
    def secret_groups(self) -> str:
        """The secret in groups of four, easier to type."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))

    @rx.event
    async def load(self):
        """Profile or the merchant home opens: is two-step sign-in on?"""

        async def read(_: ApiClient) -> None:
            try:
                self.on = await auth.second_step_on(await signed_in_tokens(self))
            except auth.AuthError as exc:
                raise _refused(exc) from exc
            self.known = True

        async for update in call_api(self, read):
            yield update

    @rx.event
    def ask_password(self, turning: str):
        """The person starts turning it on or off: first, their password."""
        self.stage = "on" if turning == "on" else "off"
        self.error, self.notice = "", ""

    @rx.event
    def cancel(self):
        """The person changes their mind (a secret being set up is dropped from the page)."""
        self.stage, self.qr_src, self.secret, self.error = "", "", "", ""

    @rx.event
    async def confirm_password(self, form: dict[str, Any]):
        """The password is checked; then the QR code to scan, or two-step sign-in is off."""
        password = str(form.get("password", ""))
        if not password:
            self.error = "Enter your password."
            return
        turning = self.stage

        async def proceed(_: ApiClient) -> None:
            tokens = await signed_in_tokens(self)
            try:
                async with limits.password_attempt(limits.client_of(self), tokens.email):
                    await auth.check_password(tokens.email, password)
                if turning == "on":
                    self.secret = await auth.start_authenticator(tokens)
                    self.qr_src = authenticator_qr(
                        auth.authenticator_uri(tokens.email, self.secret)
                    )
                    self.stage = "scan"
                else:
                    await auth.turn_off_second_step(tokens)
                    self.on, self.stage, self.notice = False, "", TURNED_OFF
            except (auth.AuthError, limits.TooManyAttempts) as exc:
                raise _refused(exc) from exc

        async for update in call_api(self, proceed, working="working"):
            yield update

    @rx.event
    async def turn_on(self, form: dict[str, Any]):
        """The app's first code: it works, so sign-in asks for one from now on."""
        code = str(form.get("code", "")).strip()
        if len(code) != 6 or not code.isdigit():
            self.error = "Enter the 6-digit code your authenticator app shows."
            return

        async def verify(_: ApiClient) -> None:
            tokens = await signed_in_tokens(self)
            try:
                await limits.attempt(
                    "enter_code", client=limits.client_of(self), email=tokens.email
                )
                await auth.turn_on_second_step(tokens, code)
            except (auth.AuthError, limits.TooManyAttempts) as exc:
                raise _refused(exc) from exc
            self.on, self.stage, self.notice = True, "", TURNED_ON
            self.qr_src = self.secret = ""

        async for update in call_api(self, verify, working="working"):
            yield update

    @rx.event
    def dismiss_prompt(self):
        """An owner says "not now" to the prompt on the merchant home page."""
        self.prompt_dismissed = "1"

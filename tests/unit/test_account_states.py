"""The sign-in, sign-up and two-step states against attacks, Cognito stood in for.

- one caller hammering sign-in (or sign-up, codes, resets) is refused with a sentence,
  before anything reaches Cognito, while another caller is served at the same moment;
- signing in as someone who turned two-step sign-in on takes their authenticator's code,
  and only Cognito's challenge (never the password) waits on the server meanwhile;
- a signed-in browser cannot turn two-step sign-in on or off without the password.
"""

from __future__ import annotations

from typing import Any

import pytest
import reflex as rx
from reflex import constants

from epoint_ui import auth
from epoint_ui.limits import ATTEMPTS
from epoint_ui.states import two_step as two_step_module
from epoint_ui.states.password_reset import PasswordResetState
from epoint_ui.states.sign_in import SignInState
from epoint_ui.states.sign_up import SignUpState
from epoint_ui.states.two_step import TwoStepState
from tests.unit.ui_browser import Browser, run, session_starting_tab

PASSWORD = "Secret-Passw0rd-123"
EMAIL = "rosa@example.com"
TOKENS = auth.Tokens("id", "access", "refresh", 4_000_000_000, "u_1", EMAIL)
CHALLENGE = "cognito-challenge-session"
ABUSER, NEIGHBOUR = "203.0.113.66", "198.51.100.7"


@pytest.fixture
def tab(monkeypatch: pytest.MonkeyPatch) -> Browser:
    """A tab of the app, on /sign-in."""
    return session_starting_tab(monkeypatch, "/sign-in")


def from_address(state: rx.State, address: str) -> rx.State:
    """The tab's connection comes from `address` (the load balancer's hop in AWS)."""
    state._update_router_vars({constants.RouteVar.CLIENT_IP: address}, {})
    return state


def signed_in_now(tab: Browser) -> bool:
    """Whether a sign-in just started a session in this tab (the page is handed its claim)."""
    return tab.session.cookie_claim != ""


class Cognito:
    """Stands in for `epoint_ui.auth`'s calls to Cognito and records them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        self.two_step_on = False
        self.code = "246810"

        async def sign_in(email: str, password: str) -> auth.Tokens:
            self.calls.append("sign_in")
            if password != PASSWORD:
                raise auth.AuthError("Wrong email or password.", "NotAuthorizedException")
            if self.two_step_on:
                raise auth.SecondStepNeeded(auth.SecondStep(email, CHALLENGE))
            return TOKENS

        async def answer_second_step(step: auth.SecondStep, code: str) -> auth.Tokens:
            self.calls.append("answer_second_step")
            if step.session == "expired":
                raise auth.AuthError("That took too long.", "NotAuthorizedException")
            if step.session != CHALLENGE or code != self.code:
                raise auth.AuthError("That code isn't right.", "CodeMismatchException")
            return TOKENS

        async def check_password(email: str, password: str) -> None:
            try:
                await sign_in(email, password)
            except auth.SecondStepNeeded:
                return

        async def start_authenticator(tokens: auth.Tokens) -> str:
            self.calls.append("start_authenticator")
            return "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

        async def turn_on_second_step(tokens: auth.Tokens, code: str) -> None:
            self.calls.append("turn_on")
            if code != self.code:
                raise auth.AuthError("That code isn't right.", "EnableSoftwareTokenMFAException")
            self.two_step_on = True

        async def turn_off_second_step(tokens: auth.Tokens) -> None:
            self.calls.append("turn_off")
            self.two_step_on = False

        async def second_step_on(tokens: auth.Tokens) -> bool:
            return self.two_step_on

        async def quietly(*args: Any) -> None:
            self.calls.append("other")

        for name, fn in {
            "sign_in": sign_in,
            "answer_second_step": answer_second_step,
            "check_password": check_password,
            "start_authenticator": start_authenticator,
            "turn_on_second_step": turn_on_second_step,
            "turn_off_second_step": turn_off_second_step,
            "second_step_on": second_step_on,
            "sign_up": quietly,
            "resend_code": quietly,
            "forgot_password": quietly,
        }.items():
            monkeypatch.setattr(auth, name, fn)


@pytest.fixture
def cognito(monkeypatch: pytest.MonkeyPatch) -> Cognito:
    return Cognito(monkeypatch)


@pytest.fixture
def signed_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tab's session holds Rosa's tokens."""

    async def tokens(_state: rx.State) -> auth.Tokens:
        return TOKENS

    monkeypatch.setattr(two_step_module, "signed_in_tokens", tokens)


# ---------------------------------------------------------------- one caller, everyone else


def test_one_caller_hammering_sign_in_is_refused_while_another_is_served(
    tab: Browser, cognito: Cognito
) -> None:
    abuser = from_address(tab.open(SignInState), ABUSER)
    allowed = ATTEMPTS["sign_in"]["client"].attempts
    for n in range(allowed):  # a password spray: one guess per account
        run(abuser.sign_in({"email": f"victim{n}@example.com", "password": "Guess-123"}))
        assert abuser.error == "Wrong email or password."
    run(abuser.sign_in({"email": "victim-next@example.com", "password": "Guess-123"}))
    assert abuser.error == "Too many attempts. Try again in 15 minutes."
    assert cognito.calls.count("sign_in") == allowed  # the refused one never reached Cognito

    neighbour = from_address(SignInState(_reflex_internal_init=True), NEIGHBOUR)
    tab._states[SignInState] = neighbour  # the same app, another browser
    run(neighbour.sign_in({"email": EMAIL, "password": PASSWORD}))
    assert neighbour.error == "" and signed_in_now(tab)


def test_guessing_one_accounts_password_from_many_addresses_stops_at_its_limit(
    tab: Browser, cognito: Cognito
) -> None:
    failures = ATTEMPTS["sign_in_failure"]["email"].attempts
    for n in range(failures):
        guesser = from_address(tab.open(SignInState), f"203.0.113.{n}")
        run(guesser.sign_in({"email": EMAIL, "password": f"Guess-{n}"}))
    late = from_address(tab.open(SignInState), "192.0.2.1")
    run(late.sign_in({"email": EMAIL, "password": PASSWORD}))
    assert late.error.startswith("Too many attempts.")
    assert cognito.calls.count("sign_in") == failures


def test_floods_of_emails_stop_per_caller_and_per_inbox(tab: Browser, cognito: Cognito) -> None:
    sign_up = from_address(tab.open(SignUpState), ABUSER)
    for n in range(ATTEMPTS["sign_up"]["client"].attempts):
        form = {"email": f"n{n}@example.com", "password": PASSWORD, "display_name": "N"}
        run(sign_up.sign_up(form))
        assert sign_up.error == ""
    run(sign_up.sign_up({"email": "more@example.com", "password": PASSWORD, "display_name": "N"}))
    assert sign_up.error.startswith("Too many attempts.")

    reset = from_address(tab.open(PasswordResetState), NEIGHBOUR)
    for _ in range(ATTEMPTS["reset_password"]["email"].attempts):
        run(reset.request_code({"email": EMAIL}))
        assert reset.error == ""
    run(reset.request_code({"email": EMAIL}))  # the victim's inbox has had enough
    assert reset.error.startswith("Too many attempts.")
    assert cognito.calls.count("other") == (
        ATTEMPTS["sign_up"]["client"].attempts + ATTEMPTS["reset_password"]["email"].attempts
    )


# ---------------------------------------------------------------- two-step sign-in


def test_a_password_alone_does_not_sign_in_someone_with_two_step_on(
    tab: Browser, cognito: Cognito
) -> None:
    cognito.two_step_on = True
    sign_in = from_address(tab.open(SignInState), NEIGHBOUR)
    run(sign_in.sign_in({"email": EMAIL, "password": PASSWORD}))
    assert sign_in.code_for == EMAIL and not signed_in_now(tab)
    # Only Cognito's challenge waits here, server-side; the password is gone.
    assert PASSWORD.encode() not in sign_in._serialize()
    assert CHALLENGE not in repr(sign_in.dict())  # never sent to the page

    run(sign_in.enter_code({"code": "000000"}))
    assert sign_in.error == "That code isn't right." and not signed_in_now(tab)
    run(sign_in.enter_code({"code": "12ab"}))
    assert sign_in.error == "Enter the 6-digit code from your authenticator app."
    run(sign_in.enter_code({"code": cognito.code}))  # the same step, after a typo
    assert signed_in_now(tab) and sign_in.code_for == "" and sign_in._challenge == ""


def test_a_code_step_that_took_too_long_goes_back_to_the_password(
    tab: Browser, cognito: Cognito
) -> None:
    cognito.two_step_on = True
    sign_in = tab.open(SignInState)
    run(sign_in.sign_in({"email": EMAIL, "password": PASSWORD}))
    sign_in._challenge = "expired"
    run(sign_in.enter_code({"code": cognito.code}))
    assert sign_in.code_for == "" and sign_in.error == "That took too long."


def test_guessing_codes_stops_at_the_limit(tab: Browser, cognito: Cognito) -> None:
    cognito.two_step_on = True
    sign_in = from_address(tab.open(SignInState), ABUSER)
    run(sign_in.sign_in({"email": EMAIL, "password": PASSWORD}))
    for n in range(ATTEMPTS["enter_code"]["email"].attempts):
        run(sign_in.enter_code({"code": f"{n:06d}"}))
    run(sign_in.enter_code({"code": cognito.code}))
    assert sign_in.error.startswith("Too many attempts.") and not signed_in_now(tab)


def test_turning_two_step_on_takes_the_password_then_the_apps_first_code(
    tab: Browser, cognito: Cognito, signed_in: None
) -> None:
    two_step = tab.open(TwoStepState)
    run(two_step.load())
    assert two_step.known and not two_step.on
    two_step.ask_password("on")
    # Someone at an unlocked, signed-in browser cannot enrol their own authenticator.
    run(two_step.confirm_password({"password": "Guess-123"}))
    assert two_step.error == two_step_module.WRONG_PASSWORD
    assert two_step.stage == "on" and "start_authenticator" not in cognito.calls

    run(two_step.confirm_password({"password": PASSWORD}))
    assert two_step.stage == "scan" and two_step.qr_src.startswith("data:image/svg+xml")
    assert two_step.secret_groups == "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"
    assert PASSWORD.encode() not in two_step._serialize()
    run(two_step.turn_on({"code": "000000"}))
    assert two_step.error == "That code isn't right." and not cognito.two_step_on
    run(two_step.turn_on({"code": cognito.code}))
    assert two_step.on and cognito.two_step_on and two_step.notice == two_step_module.TURNED_ON
    assert two_step.secret == "" and two_step.qr_src == ""  # the key leaves the page


def test_turning_it_off_takes_the_password(tab: Browser, cognito: Cognito, signed_in: None) -> None:
    cognito.two_step_on = True
    two_step = tab.open(TwoStepState)
    run(two_step.load())
    two_step.ask_password("off")
    run(two_step.confirm_password({"password": "Guess-123"}))
    assert cognito.two_step_on and two_step.error == two_step_module.WRONG_PASSWORD
    run(two_step.confirm_password({"password": PASSWORD}))
    assert not cognito.two_step_on and not two_step.on
    assert two_step.notice == two_step_module.TURNED_OFF

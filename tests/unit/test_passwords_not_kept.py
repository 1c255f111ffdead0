"""No password outlives the Cognito call it is typed for: not in a state var, not in Redis.

Reflex keeps every state, backend (`_`) vars included, in the state manager: in memory,
or in Redis in production, serialised by `State._serialize`. A password left in any var
would sit there for as long as the tab's state lives. Each form's handler is run here
with Cognito stubbed, on success and on refusal, and the state as the state manager would
store it must not contain the password.
"""

from __future__ import annotations

from typing import Any

import pytest
import reflex as rx

from epoint_ui import auth, session_store
from epoint_ui.session_store import MemorySessionStore
from epoint_ui.settings import Settings
from epoint_ui.states import session as session_state_module
from epoint_ui.states.password_reset import PasswordResetState
from epoint_ui.states.sign_in import SignInState
from epoint_ui.states.sign_up import SignUpState
from tests.unit.ui_browser import Browser, redirect_target, run

PASSWORD = "Secret-Passw0rd-123"
EMAIL = "ann@example.com"
TOKENS = auth.Tokens("id", "access", "refresh", 4_000_000_000, "u_1", EMAIL)


def stored(state: rx.State) -> bytes:
    """What the state manager keeps of a state (pickled, as it goes to Redis), plus its vars."""
    return state._serialize() + repr(state.dict()).encode()


def assert_forgotten(*states: rx.State) -> None:
    for state in states:
        assert PASSWORD.encode() not in stored(state), f"{type(state).__name__} keeps the password"


@pytest.fixture
def tab(monkeypatch: pytest.MonkeyPatch) -> Browser:
    """A tab of the app; the settings stand in for the real ones (which start a local cloud)."""
    fixed = Settings("https://api.invalid", "pool", "client", "eu-west-1")
    monkeypatch.setattr(session_state_module, "get_settings", lambda: fixed)
    monkeypatch.setattr(session_store, "_claims", MemorySessionStore())
    return Browser(monkeypatch, path="/sign-up")


@pytest.fixture
def cognito(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Cognito stubbed: records the passwords it is handed; `refuse` makes every call fail."""
    seen: dict[str, Any] = {"passwords": [], "refuse": False}

    async def call(*args: Any) -> Any:
        seen["passwords"].extend(a for a in args if a == PASSWORD)
        if seen["refuse"]:
            raise auth.AuthError("No.", "NotAuthorizedException")
        return TOKENS

    for name in ("sign_up", "sign_in", "confirm_sign_up", "confirm_forgot_password"):
        monkeypatch.setattr(auth, name, call)
    return seen


@pytest.mark.parametrize("refused", [False, True])
def test_sign_up_hands_the_password_to_cognito_and_keeps_none(tab, cognito, refused):
    cognito["refuse"] = refused
    sign_up = tab.open(SignUpState)
    sent = run(sign_up.sign_up({"email": EMAIL, "password": PASSWORD, "display_name": "Ann"}))
    assert cognito["passwords"] == [PASSWORD]
    assert (sign_up.error != "") is refused
    if not refused:
        assert "/verify" in [redirect_target(update) for update in sent]
    assert_forgotten(sign_up, tab.session)


def test_after_the_code_the_new_user_signs_in_with_the_password_they_chose(tab, cognito):
    """Verifying no longer signs in by itself: that needed the password kept since sign-up."""
    sign_up = tab.open(SignUpState)
    run(sign_up.sign_up({"email": EMAIL, "password": PASSWORD, "display_name": "Ann"}))
    sent = run(sign_up.verify({"code": "123456"}))
    assert cognito["passwords"] == [PASSWORD]  # used once, at sign-up
    assert [redirect_target(update) for update in sent if redirect_target(update)] == ["/sign-in"]
    assert tab.session.notice == "Your email is confirmed. Sign in to continue."
    assert_forgotten(sign_up, tab.session)


@pytest.mark.parametrize("refused", [False, True])
def test_sign_in_keeps_no_password(tab, cognito, refused):
    cognito["refuse"] = refused
    sign_in = tab.open(SignInState)
    run(sign_in.sign_in({"email": EMAIL, "password": PASSWORD}))
    assert cognito["passwords"] == [PASSWORD]
    assert tab.session.cookie_claim != "" or refused
    assert_forgotten(sign_in, tab.session)


@pytest.mark.parametrize("refused", [False, True])
def test_a_new_password_from_the_reset_form_is_not_kept(tab, cognito, refused):
    cognito["refuse"] = refused
    reset = tab.open(PasswordResetState)
    reset.email, reset.code_sent = EMAIL, True
    run(reset.set_new_password({"code": "123456", "new_password": PASSWORD}))
    assert cognito["passwords"] == [PASSWORD]
    assert_forgotten(reset, tab.session)


def test_typing_a_password_keeps_only_which_rules_it_meets(tab):
    sign_up = tab.open(SignUpState)
    sign_up.type_password(PASSWORD)
    assert sign_up.password_ok
    assert_forgotten(sign_up)

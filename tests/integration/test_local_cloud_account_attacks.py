"""Attacks on accounts through the state server's own Cognito module (`epoint_ui/auth.py`),
against the local cloud: each performs the attack and fails if it works.

- finding out who has an account by signing up with their email;
- signing in with a stolen password when the person turned two-step sign-in on;
- answering the code step as someone else, or with an old code.
(An email change by someone holding the tokens: tests/integration/test_local_cloud_fidelity.py.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from epoint_ui import auth
from epoint_ui.settings import get_settings
from tests.support.local_cloud import (
    PASSWORD,
    RunningCloud,
    authenticator_code,
    cognito_client,
    confirmed_user,
    new_email,
    outbox_code,
)


@pytest.fixture
def app(cloud: RunningCloud, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningCloud]:
    """The state server's settings pointed at the shared local cloud, as in AWS mode."""
    for name, value in cloud.info["env"].items():
        monkeypatch.setenv(name, str(value))
    get_settings.cache_clear()
    yield cloud
    get_settings.cache_clear()


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def outbox(cloud: RunningCloud, email: str) -> list[dict[str, Any]]:
    answer = httpx.get(cloud.outbox_url, params={"format": "json", "to": email}, timeout=10)
    return list(answer.json()["messages"])


def timed(coroutine: Any) -> float:
    started = time.monotonic()
    run(coroutine)
    return time.monotonic() - started


def test_sign_up_does_not_tell_whether_an_email_has_an_account(app: RunningCloud) -> None:
    taken = new_email("taken")
    confirmed_user(app.info, "Rosa Owner", taken)
    before = len(outbox(app, taken))
    fresh = new_email("fresh")

    new_account = timed(auth.sign_up(fresh, "An0ther-Pass", "Mallory"))
    existing = timed(auth.sign_up(taken, "An0ther-Pass", "Mallory"))  # no error: same answer
    # ...in the same time: both wait for the floor, which covers the taken email's extra call.
    assert new_account >= auth.SIGN_UP_ANSWER_S and existing >= auth.SIGN_UP_ANSWER_S
    assert abs(new_account - existing) < 0.25

    # The owner's account is untouched: their password still works, the attacker's does not.
    run(auth.sign_in(taken, PASSWORD))
    with pytest.raises(auth.AuthError) as excinfo:
        run(auth.sign_in(taken, "An0ther-Pass"))
    assert excinfo.value.code == "NotAuthorizedException"
    assert len(outbox(app, taken)) == before  # and no code went to their inbox

    # The verify page answers alike too: a guessed code, a resend.
    for email in (taken, fresh):
        with pytest.raises(auth.AuthError) as excinfo:
            run(auth.confirm_sign_up(email, "000000"))
        assert excinfo.value.message == auth._MESSAGES["CodeMismatchException"]
        run(auth.resend_code(email))
        run(auth.forgot_password(new_email("nobody")))


def test_someone_who_never_confirmed_gets_a_fresh_code_by_signing_up_again(
    app: RunningCloud,
) -> None:
    email = new_email("pending")
    run(auth.sign_up(email, PASSWORD, "Pat"))
    first = outbox_code(app.info, email)
    run(auth.sign_up(email, PASSWORD, "Pat"))
    second = outbox_code(app.info, email)
    assert len(outbox(app, email)) == 2
    if first != second:  # the first one was replaced
        with pytest.raises(auth.AuthError):
            run(auth.confirm_sign_up(email, first))
    run(auth.confirm_sign_up(email, second))
    run(auth.sign_in(email, PASSWORD))


def _turn_on(app: RunningCloud, email: str) -> str:
    """Rosa signs in, sets up her authenticator with its first code; her secret."""
    tokens = run(auth.sign_in(email, PASSWORD))
    assert run(auth.second_step_on(tokens)) is False
    secret = run(auth.start_authenticator(tokens))
    uri = auth.authenticator_uri(email, secret)
    assert uri.startswith("otpauth://totp/ePoint%3A") and f"secret={secret}" in uri
    run(auth.turn_on_second_step(tokens, authenticator_code(app.info, secret)))
    assert run(auth.second_step_on(tokens)) is True
    return secret


def next_code(app: RunningCloud, secret: str) -> str:
    """The code the phone shows next (the current one was just used; the next is accepted)."""
    return authenticator_code(app.info, secret, ahead=1)


def test_a_stolen_password_alone_no_longer_signs_in(app: RunningCloud) -> None:
    email = new_email("two-step")
    confirmed_user(app.info, "Rosa", email)
    secret = _turn_on(app, email)

    with pytest.raises(auth.SecondStepNeeded) as excinfo:
        run(auth.sign_in(email, PASSWORD))  # the thief has the password...
    step = excinfo.value.step
    for guess in ("000000", "123456"):  # ...and guesses codes
        if guess == next_code(app, secret):
            continue
        with pytest.raises(auth.AuthError) as refused:
            run(auth.answer_second_step(step, guess))
        assert refused.value.code == "CodeMismatchException"
        assert "authenticator app" in refused.value.message
    # The owner, with her phone, on the same step after a typo.
    tokens = run(auth.answer_second_step(step, next_code(app, secret)))
    assert tokens.email == email and tokens.access_token


def test_the_code_step_cannot_be_answered_as_someone_else(app: RunningCloud) -> None:
    alice, bob = new_email("alice"), new_email("bob")
    for email in (alice, bob):
        confirmed_user(app.info, "Person", email)
    _turn_on(app, alice)
    bob_secret = _turn_on(app, bob)
    with pytest.raises(auth.SecondStepNeeded) as excinfo:
        run(auth.sign_in(alice, PASSWORD))  # alice's password...
    as_bob = auth.SecondStep(bob, excinfo.value.step.session)  # ...then answer as bob
    with pytest.raises(auth.AuthError) as refused:
        run(auth.answer_second_step(as_bob, next_code(app, bob_secret)))
    assert refused.value.code == "NotAuthorizedException"


def test_turning_it_off_signs_in_with_the_password_again(app: RunningCloud) -> None:
    email = new_email("off")
    confirmed_user(app.info, "Rosa", email)
    secret = _turn_on(app, email)
    run(auth.check_password(email, PASSWORD))  # the password proven, code not needed
    with pytest.raises(auth.AuthError):
        run(auth.check_password(email, "Wr0ng-password"))
    with pytest.raises(auth.SecondStepNeeded) as excinfo:
        run(auth.sign_in(email, PASSWORD))
    tokens = run(auth.answer_second_step(excinfo.value.step, next_code(app, secret)))
    run(auth.turn_off_second_step(tokens))
    assert run(auth.sign_in(email, PASSWORD)).access_token
    attributes = cognito_client(app.info).get_user(AccessToken=tokens.access_token)
    assert attributes.get("UserMFASettingList", []) == []

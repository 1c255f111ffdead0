"""Page timers without a loop on the state server: the browser counts, the server decides.

The verify page's resend cool-down and the till's visit expiry are counted down in the
browser (components/countdown.py), which says when it reaches 0; the state keeps the
deadline, re-arms the countdown when the browser was early, and acts only once it has
passed. Nothing keeps running on the server for a page (or a tab) that is gone.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import reflex as rx

import epoint_ui.pages  # noqa: F401 - every page, so every state is defined
from epoint_ui import auth
from epoint_ui.states.merchant_scan import ScanState
from epoint_ui.states.my_code import MyCodeState
from epoint_ui.states.sign_up import RESEND_COOLDOWN_S, SignUpState
from tests.unit.test_merchant_scan_state import VISIT
from tests.unit.ui_browser import Browser, run

PASSWORD = "Passw0rd-unit"


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Cognito stands in: records each email a code was (re)sent to."""
    emails: list[str] = []

    async def sign_up(email: str, password: str, display_name: str) -> None:
        emails.append(email)

    async def resend_code(email: str) -> None:
        emails.append(email)

    monkeypatch.setattr(auth, "sign_up", sign_up)
    monkeypatch.setattr(auth, "resend_code", resend_code)
    return emails


@pytest.fixture
def verify(monkeypatch: pytest.MonkeyPatch, sent: list[str]) -> SignUpState:
    """The verify page right after signing up as lena@example.com."""
    state = Browser(monkeypatch, path="/sign-up").open(SignUpState)
    run(state.sign_up({"email": "lena@example.com", "display_name": "Lena", "password": PASSWORD}))
    return state


def test_signing_up_starts_the_cool_down_on_the_page(verify, sent):
    assert sent == ["lena@example.com"]
    assert verify.cooling_down
    assert verify.resend_wait == RESEND_COOLDOWN_S


def test_no_code_is_resent_during_the_cool_down(verify, sent):
    run(verify.resend())
    assert sent == ["lena@example.com"]
    assert verify.resent == ""


def test_a_countdown_that_ends_early_is_restarted_with_what_is_left(verify):
    serial = verify.resend_serial
    verify._resend_at = time.time() + 4.2  # the browser's clock ran ahead
    verify.cooldown_over()
    assert verify.cooling_down
    assert verify.resend_wait == 5
    assert verify.resend_serial == serial + 1  # the page counts again from 5


def test_after_the_cool_down_one_tap_resends_and_starts_it_again(verify, sent):
    verify._resend_at = time.time() - 0.1
    verify.cooldown_over()
    assert not verify.cooling_down and verify.resend_wait == 0

    run(verify.resend())

    assert sent == ["lena@example.com", "lena@example.com"]
    assert verify.resent == "We sent a new code to lena@example.com."
    assert verify.cooling_down and verify.resend_wait == RESEND_COOLDOWN_S


def test_reopening_verify_counts_from_what_is_left(verify):
    verify._resend_at = time.time() + 12.5
    serial = verify.resend_serial
    verify.show_cooldown()
    assert verify.resend_wait == 13 and verify.resend_serial == serial + 1


@pytest.fixture
def till(monkeypatch: pytest.MonkeyPatch) -> ScanState:
    """The till with Carl's visit open for another 10 minutes."""
    browser = Browser(monkeypatch, path="/merchant/scan")
    state = browser.open(ScanState)
    ends = datetime.now(UTC) + timedelta(minutes=10)
    visit = {**VISIT, "expires_at": ends.isoformat().replace("+00:00", "Z")}
    state._start_visit(visit, browser.merchant.business["earning_rule"], "EUR")
    return state


def test_opening_a_visit_starts_the_page_timer(till):
    assert 598 <= till.visit_left_s <= 600
    assert till.visit_serial == 1


def test_the_visit_only_ends_when_its_time_is_up(till):
    till.visit_ran_out()  # the page's timer fired early (or was tampered with)
    assert not till.visit_expired and till.visit_open
    assert till.visit_serial == 2  # counted again from what is left

    past = datetime.now(UTC) - timedelta(seconds=1)
    till.expires_at = past.isoformat().replace("+00:00", "Z")
    till.visit_ran_out()
    assert till.visit_expired and not till.visit_open


def test_a_timer_from_a_finished_visit_changes_nothing(till):
    till.new_scan()
    till.visit_ran_out()
    assert not till.visit_expired and till.visit_id == ""


def _background_events(state: type[rx.State]) -> list[str]:
    return [name for name, handler in state.event_handlers.items() if handler.is_background]


def test_no_page_but_my_code_runs_a_loop_on_the_state_server():
    """A background event outlives its page unless its lifecycle says otherwise; only My
    code has one (its own mount/unmount rules), every other page timer is the browser's."""
    states = _all_states(rx.State)
    assert ScanState in states and SignUpState in states
    looping = {
        cls.__name__: names
        for cls in states
        if cls is not MyCodeState and (names := _background_events(cls))
    }
    assert looping == {}


def _all_states(root: type[rx.State]) -> list[type[rx.State]]:
    found = []
    for sub in root.get_substates():
        found.append(sub)
        found.extend(_all_states(sub))
    return found

"""Profile's email switches (epoint_ui/states/mail_settings.py) against a stand-in API."""

from __future__ import annotations

import pytest

from epoint_ui.formatting import Reader
from epoint_ui.states import mail_settings
from epoint_ui.states.mail_settings import MailSettingsState
from tests.unit.ui_browser import Browser, run

SETTINGS = {
    "receipts": True,
    "reminders": True,
    "language": "en",
    "time_zone": "UTC",
    "businesses": [{"merchant_id": "m_1", "merchant_name": "Café Rosa", "receipts": True}],
}


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Browser:
    return Browser(monkeypatch, "/profile")


def test_opening_profile_shows_the_settings_and_sends_the_browsers_language_once(
    browser, monkeypatch
):
    profile = browser.open(MailSettingsState)

    async def german_reader(_state):  # the browser's Accept-Language and time-zone cookie
        return Reader.of("de-DE,de;q=0.9", "Europe/Berlin")

    monkeypatch.setattr(mail_settings, "reader", german_reader)
    german = {**SETTINGS, "language": "de_DE", "time_zone": "Europe/Berlin"}
    browser.api.will_answer(SETTINGS, german)
    run(profile.load())
    # Emails are written in the language and time zone this browser reads in.
    assert browser.api.requests == [("GET", "/me/preferences"), ("PATCH", "/me/preferences")]
    assert profile.loaded and profile.receipts and profile.reminders
    assert profile.businesses == SETTINGS["businesses"]
    browser.api.will_answer(german)
    run(profile.load())  # already known: nothing to send
    assert browser.api.requests[-1] == ("GET", "/me/preferences")
    assert len(browser.api.requests) == 3


def test_each_switch_saves_and_says_so(browser):
    profile = browser.open(MailSettingsState)
    browser.api.will_answer(SETTINGS)
    run(profile.load())
    browser.api.will_answer({**SETTINGS, "reminders": False})
    run(profile.set_reminders(False))
    assert not profile.reminders and profile.saved == "No more reminders by email."
    browser.api.will_answer({"merchant_id": "m_1", "merchant_name": "Café Rosa", "receipts": False})
    run(profile.set_business_receipts("m_1", False))
    assert profile.businesses[0]["receipts"] is False
    assert profile.saved == "Receipts from Café Rosa are off."
    assert browser.api.requests[-1] == ("PATCH", "/me/preferences/businesses/m_1")
    assert profile.saving == ""

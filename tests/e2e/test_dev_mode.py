"""`scripts/dev` is the product too: it starts quietly, and a page that is gone leaves nothing
running on the state server.

Both run against `dev_app` (tests/e2e/conftest.py): `scripts/dev` itself, in dev mode with
React's Strict Mode, the local cloud embedded. The key journeys run there too (`@both_ways`
in test_customer_journey.py, test_sessions.py and merchant/test_merchant_till.py).
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Browser, expect

from tests.e2e.app_under_test import DevApp
from tests.e2e.conftest import PHONE
from tests.support.local_cloud import PASSWORD, new_email

FIRST_MINUTE_S = 60
WARNING = re.compile(r"warn|deprecat", re.IGNORECASE)
DELTA_TO_GONE_TAB = "send delta to disconnected client"


def test_scripts_dev_prints_no_warning_in_its_first_minute(dev_app: DevApp, browser: Browser):
    # The fixture has opened every page of the journeys by now (Vite compiles them on the
    # first request); a visitor opens two more while the minute runs.
    context = browser.new_context(viewport=PHONE, base_url=dev_app.url)
    page = context.new_page()
    for route in ("/", "/sign-in"):
        page.goto(route, wait_until="load")
    context.close()
    if dev_app.age() < FIRST_MINUTE_S:
        time.sleep(FIRST_MINUTE_S - dev_app.age())

    first_minute = dev_app.output(within_s=FIRST_MINUTE_S)
    assert any("App running at" in line for line in first_minute), first_minute
    assert [line for line in first_minute if WARNING.search(line)] == []


def test_a_closed_verify_page_leaves_nothing_running(dev_app: DevApp, browser: Browser):
    context = browser.new_context(viewport=PHONE, base_url=dev_app.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/sign-up", wait_until="load")
    page.get_by_label("Email").fill(new_email("gone"))
    page.get_by_label("Your name").fill("Gina Gone")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/verify")
    resend = page.get_by_role("button", name=re.compile(r"^Send a new code"))
    expect(resend).to_have_text(re.compile(r"^Send a new code in \d+ s$"))
    counting = resend.inner_text()
    expect(resend).not_to_have_text(counting)  # the cool-down counts on the page

    closed_at = dev_app.age()
    context.close()  # the tab is closed mid-count: no unmount, the socket just goes
    time.sleep(4)

    after = dev_app.output(since_s=closed_at)
    assert [line for line in after if DELTA_TO_GONE_TAB in line] == []

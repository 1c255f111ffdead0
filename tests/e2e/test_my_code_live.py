"""Push, not poll: the customer's My code learns of a scan and an earn made by a till
integration calling the API directly (no state server on the merchant's side), within a
second or two, while the state server makes no per-second calls.

The state server reaches the API through `api_link`, which counts every call it makes; the
hint reaches it from the local cloud's stream (`GET /dev/hints`, Redis pub/sub in AWS).
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from tests.e2e.app_under_test import LossyLink
from tests.e2e.conftest import open_page, sign_in_through_ui
from tests.support.world import Business, Person, World

STATUS_READS = r"^/qr-tokens/q_"


def test_a_direct_api_scan_and_earn_show_on_my_code_without_polling(
    page: Page, world: World, shop: Business, customer: Person, api_link: LossyLink
) -> None:
    sign_in_through_ui(page, customer.email)
    open_page(page, "/code")
    shown = page.get_by_test_id("short-code")
    expect(shown).to_have_text(re.compile(r"^\d{6}$"))
    countdown = page.get_by_test_id("countdown")
    expect(countdown).to_have_text(re.compile(r"^New code in \d+ s$"))

    # The code is on screen: the countdown ticks in the browser, the state server asks nothing.
    quiet_from = time.time()
    first = int(re.findall(r"\d+", countdown.inner_text())[0])
    time.sleep(5)
    assert int(re.findall(r"\d+", countdown.inner_text())[0]) <= first - 3
    assert api_link.calls("GET", STATUS_READS, since=quiet_from) == 0  # polling made 5
    assert api_link.calls("POST", r"^/qr-tokens$", since=quiet_from) == 0

    # A till integration takes the code (its 6 digits) and books a purchase, straight
    # through the API.
    scanned_from = time.time()
    visit = world.visit(shop, code=shown.inner_text())
    expect(page.get_by_role("heading", name="Scanned at Café Rosa")).to_be_visible(timeout=5_000)
    world.earn(visit, 12_50).expect(201)
    expect(page.get_by_role("heading", name="Scanned at Café Rosa: +12 points")).to_be_visible(
        timeout=5_000
    )
    expect(page.get_by_role("status")).to_contain_text("Your balance at Café Rosa: 12 points")
    # One read per hint (the visit, the earn): nothing on a timer.
    assert api_link.calls("GET", STATUS_READS, since=scanned_from) <= 3

"""What people see when something runs out: a visit, a customer code, an emailed code.

The local cloud's clock is moved forward (`time_travel`, i.e. `POST /dev/clock`) instead of
waiting; only the resend cool-down and the early refresh of My code run on the state
server's own (real) clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PHONE, open_page, sign_in_through_ui
from tests.e2e.merchant.conftest import merchant_signs_in, type_code
from tests.support.local_cloud import PASSWORD, new_email, outbox_code
from tests.support.world import Business, Person, World

VISIT_LIFETIME_S = 10 * 60
CODE_LIFETIME_S = 60
SIGN_UP_CODE_LIFETIME_S = 24 * 3600


@pytest.fixture
def till(browser: Browser, app_url: str) -> Iterator[Page]:
    """A second browser (the merchant's tablet), beside the customer's phone in `page`."""
    context = browser.new_context(viewport=PHONE, base_url=app_url)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_the_till_says_the_visit_expired_and_asks_for_a_new_scan(
    page: Page,
    world: World,
    shop: Business,
    customer: Person,
    time_travel: Callable[[float], None],
) -> None:
    merchant_signs_in(page, shop.owner.email)
    type_code(page, world.token(customer)["short_code"])
    expect(page.locator("#customer-name")).to_have_text("Carl Customer")

    time_travel(VISIT_LIFETIME_S + 1)  # the merchant served someone else meanwhile
    page.get_by_label("Purchase total (EUR)").fill("12.50")
    page.get_by_role("button", name="Award points").click()

    expect(page.locator("#visit-expired")).to_have_text(
        "This visit has expired (a visit lasts 10 minutes). "
        "Scan the customer's code again to continue."
    )
    expect(page.get_by_role("button", name="Award points")).to_have_count(0)
    page.get_by_role("button", name="Scan a new code").click()
    expect(page.get_by_label("Or type the 6-digit code under the QR code")).to_be_visible()
    ledger = world.call("GET", f"{shop.path}/transactions", shop.owner).expect(200)["items"]
    assert ledger == []


def test_my_code_is_renewed_before_it_expires_and_an_expired_code_is_refused(
    page: Page,
    till: Page,
    world: World,
    shop: Business,
    customer: Person,
    time_travel: Callable[[float], None],
) -> None:
    sign_in_through_ui(page, customer.email)
    open_page(page, "/code")
    shown = page.get_by_test_id("short-code")
    expect(shown).to_have_text(re.compile(r"^\d{6}$"))
    first = shown.inner_text()

    # In real time: a new code appears while the old one still works (renewed 5 s early).
    expect(shown).not_to_have_text(first, timeout=(CODE_LIFETIME_S + 10) * 1000)
    early = world.open_visit(shop, first)
    assert early.status == 201, f"the replaced code had already expired: {early.text}"
    # ...and the phone shows that scan too: the hint makes it read the code it just replaced.
    expect(page.get_by_role("heading", name="Scanned at Café Rosa")).to_be_visible(timeout=5_000)
    page.get_by_role("button", name="Show a new code").click()
    expect(shown).to_have_text(re.compile(r"^\d{6}$"))

    # The backend's clock jumps past the new code's minute: the phone shows another at once.
    second = shown.inner_text()
    time_travel(CODE_LIFETIME_S + 1)
    expect(shown).not_to_have_text(second, timeout=10_000)
    expect(shown).to_have_text(re.compile(r"^\d{6}$"))

    merchant_signs_in(till, shop.owner.email)
    type_code(till, second)
    expect(till.locator("#scan-error")).to_have_text(
        "This code has expired (a code lasts one minute). Ask the customer to show a fresh code."
    )
    expect(till.locator("#customer-name")).to_have_count(0)
    type_code(till, shown.inner_text())
    expect(till.locator("#customer-name")).to_have_text("Carl Customer")


def test_verify_says_the_code_expired_and_resends_after_the_cool_down(
    page: Page, local_cloud: dict[str, Any], time_travel: Callable[[float], None]
) -> None:
    email = new_email("late")
    open_page(page, "/sign-up")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Your name").fill("Lena Late")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/verify")
    resend = page.get_by_role("button", name=re.compile(r"^Send a new code"))
    expect(resend).to_have_text(re.compile(r"^Send a new code in \d+ s$"))
    expect(resend).to_be_disabled()

    stale = outbox_code(local_cloud, email)
    time_travel(SIGN_UP_CODE_LIFETIME_S + 1)  # the email sat unread for a day
    page.get_by_label("Confirmation code").fill(stale)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert")).to_contain_text("That code has expired. Ask for a new one.")

    # The cool-down (30 s from sign-up) runs on real time; then one tap sends a new code.
    expect(resend).to_have_text("Send a new code", timeout=45_000)
    expect(resend).to_be_enabled()
    resend.click()
    expect(page.get_by_text(f"We sent a new code to {email}.")).to_be_visible()
    expect(resend).to_have_text(re.compile(r"^Send a new code in \d+ s$"))
    expect(resend).to_be_disabled()

    fresh = outbox_code(local_cloud, email)
    assert fresh != stale
    page.get_by_label("Confirmation code").fill(fresh)
    page.get_by_role("button", name="Confirm").click()
    # Confirmed; the password was not kept since sign-up, so the new customer signs in.
    page.wait_for_url("**/sign-in")
    expect(page.get_by_role("status")).to_have_text("Your email is confirmed. Sign in to continue.")
    expect(page.get_by_label("Email")).to_have_value(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/wallet")

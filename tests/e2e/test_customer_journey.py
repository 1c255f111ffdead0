"""A new customer, end to end: sign up, confirm, wallet, My code scanned at a till, history.

Runs against the exported app and against the app as `scripts/dev` runs it (`@both_ways`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import both_ways, open_page, serious_violations
from tests.e2e.merchant.conftest import merchant_signs_in, type_code
from tests.support.local_cloud import PASSWORD, new_email, outbox_code
from tests.support.world import World


def assert_accessible(page: Page, axe_script: Path) -> None:
    """No serious or critical axe-core violations on the page as it is now."""
    assert serious_violations(page, axe_script) == []


@both_ways
def test_new_customer_signs_up_and_sees_points_arrive_on_my_code(
    page: Page, till: Page, world: World, local_cloud: dict[str, Any], axe_script: Path
) -> None:
    email = new_email("journey")

    open_page(page, "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Loyalty points")
    assert_accessible(page, axe_script)
    page.get_by_role("link", name="Create an account").click()

    page.wait_for_url("**/sign-up")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Your name").fill("Nora")
    rules = page.locator("li[data-met]")
    page.get_by_label("Password").fill("abc")
    expect(rules.filter(has_text="A lower-case letter")).to_have_attribute("data-met", "true")
    expect(rules.filter(has_text="At least 8 characters")).to_have_attribute("data-met", "false")
    page.get_by_label("Password").fill(PASSWORD)
    expect(page.locator('li[data-met="true"]')).to_have_count(4)
    assert_accessible(page, axe_script)
    page.get_by_role("button", name="Create account").click()

    page.wait_for_url("**/verify")
    expect(page.get_by_text(email)).to_be_visible()
    expect(
        page.get_by_role("button", name=re.compile(r"Send a new code in \d+ s"))
    ).to_be_disabled()
    code = outbox_code(local_cloud, email)
    wrong = "000000" if code != "000000" else "111111"
    page.get_by_label("Confirmation code").fill(wrong)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("alert")).to_contain_text("That code isn't right")
    assert_accessible(page, axe_script)
    page.get_by_label("Confirmation code").fill(code)
    page.get_by_role("button", name="Confirm").click()
    # Confirmed; the password was not kept since sign-up, so the new customer signs in.
    page.wait_for_url("**/sign-in")
    expect(page.get_by_role("status")).to_have_text("Your email is confirmed. Sign in to continue.")
    expect(page.get_by_label("Email")).to_have_value(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/wallet")
    expect(page.get_by_role("heading", name="No points yet")).to_be_visible()
    assert_accessible(page, axe_script)

    page.get_by_role("link", name="My code", exact=True).click()
    page.wait_for_url("**/code")
    short_code = page.get_by_test_id("short-code")
    expect(short_code).to_have_text(re.compile(r"^\d{6}$"))
    expect(page.get_by_role("img", name=re.compile("one-time QR code"))).to_be_visible()
    countdown = page.get_by_text(re.compile(r"^New code in \d+ s$"))
    shown = countdown.inner_text()
    expect(countdown).not_to_have_text(shown, timeout=5_000)  # it counts down
    assert_accessible(page, axe_script)

    # A merchant at the till (another browser) types the code and awards a purchase.
    shop = world.business(world.owner("Rosa"), "Café Rosa")
    merchant_signs_in(till, shop.owner.email)
    type_code(till, short_code.inner_text())
    # A typed code alone opens nothing: the phone asks, naming the business, and waits.
    asking = page.get_by_role("alertdialog")
    expect(asking).to_contain_text("Café Rosa wants to scan your code", timeout=5_000)
    expect(till.locator("#customer-name")).to_have_count(0)
    asking.get_by_role("button", name="Allow").click()
    expect(till.locator("#customer-name")).to_have_text("Nora")
    expect(page.get_by_role("heading", name="Scanned at Café Rosa")).to_be_visible(timeout=5_000)
    till.get_by_label("Purchase total (EUR)").fill("12.50")
    till.get_by_role("button", name="Award points").click()
    expect(till.locator(".receipt")).to_contain_text("Awarded for €12.50")
    expect(page.get_by_role("heading", name="Scanned at Café Rosa: +12 points")).to_be_visible(
        timeout=5_000
    )
    expect(page.get_by_role("status")).to_contain_text("Your balance at Café Rosa: 12 points")

    page.get_by_role("link", name="History", exact=True).click()
    page.wait_for_url("**/history")
    entry = page.get_by_role("listitem").filter(has_text="Purchase")
    expect(entry).to_contain_text("Café Rosa")
    expect(entry).to_contain_text("+12 points")
    assert_accessible(page, axe_script)

    page.get_by_role("link", name="Wallet", exact=True).click()
    card = page.get_by_role("heading", name="Café Rosa")
    expect(card).to_be_visible()
    expect(page.get_by_text("12 points", exact=False).first).to_be_visible()
    assert_accessible(page, axe_script)

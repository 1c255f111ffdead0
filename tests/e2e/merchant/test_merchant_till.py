"""At the till: scan the customer's code (camera or typed), award points, redeem a reward."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    READER,
    both_ways,
    open_page,
    serious_violations,
    sign_in_through_ui,
)
from tests.e2e.merchant.conftest import merchant_signs_in, type_code
from tests.e2e.merchant.qr_video import write_picture_y4m
from tests.support.world import Business, Person, World


def test_camera_scan_awards_points_and_the_customer_sees_them_on_my_code(
    shop: Business,
    customer: Person,
    second_page: Page,
    camera_context: BrowserContext,
    camera_file: Path,
) -> None:
    till = camera_context.new_page()
    sign_in_through_ui(till, shop.owner.email)

    # The customer opens My code on their phone; the camera will see exactly that screen.
    phone = second_page
    sign_in_through_ui(phone, customer.email)
    open_page(phone, "/code")
    qr = phone.get_by_alt_text("Your one-time QR code. Show it to the cashier.")
    expect(qr).to_be_visible()
    write_picture_y4m(qr.screenshot(), camera_file)

    open_page(till, "/merchant/scan")
    expect(till.locator("#customer-name")).to_have_text("Carl Customer", timeout=30_000)
    expect(till.locator("#customer-balance")).to_have_text("0")
    expect(till.locator("#customer-tier")).to_have_text("Bronze")

    till.get_by_label("Purchase total (EUR)").fill("12.50")
    expect(till.locator("#award-preview")).to_have_text("€12.50 earns 12 points at Bronze.")
    till.get_by_role("button", name="Award points").click()
    receipt = till.locator(".receipt")
    expect(receipt).to_contain_text("Awarded for €12.50")
    expect(receipt.locator(".receipt-points")).to_have_text("+12")
    expect(receipt.locator(".receipt-balance")).to_have_text("12")
    expect(receipt.locator(".receipt-tx")).to_have_text(re.compile(r"^t_\w+$"))

    expect(phone.get_by_role("heading", name="Scanned at Café Rosa", exact=False)).to_be_visible(
        timeout=20_000
    )
    expect(phone.get_by_text("Your balance at Café Rosa: 12 points")).to_be_visible()


@both_ways
def test_typed_code_award_then_redeem_and_double_taps_count_once(
    shop: Business, customer: Person, page: Page, world: World, axe_script: Path
) -> None:
    merchant_signs_in(page, shop.owner.email)
    code = world.token(customer)
    type_code(page, code["short_code"], world)
    expect(page.locator("#customer-name")).to_have_text("Carl Customer")
    expect(page.get_by_text("The customer's points don't cover a reward yet.")).to_be_visible()

    page.get_by_label("Purchase total (EUR)").fill("25")
    expect(page.locator("#award-preview")).to_have_text("€25.00 earns 25 points at Bronze.")
    page.get_by_role("button", name="Award points").dblclick()
    expect(page.locator("#customer-balance")).to_have_text("25")
    expect(page.locator(".receipt")).to_have_count(1)
    expect(page.locator("#award-done")).to_be_visible()

    page.get_by_role("button", name="Redeem Free coffee").dblclick()
    latest = page.locator(".receipt").first
    expect(latest).to_contain_text("Redeemed Free coffee")
    expect(latest.locator(".receipt-points")).to_have_text("-10")
    expect(latest.locator(".receipt-balance")).to_have_text("15")
    expect(page.locator("#customer-balance")).to_have_text("15")
    expect(page.locator(".receipt")).to_have_count(2)
    expect(page.locator("#action-error")).to_have_text("")
    assert serious_violations(page, axe_script) == []

    ledger = world.call("GET", f"{shop.path}/transactions", shop.owner).expect(200)["items"]
    assert [(tx["kind"], tx["points"]) for tx in ledger] == [("redeem", -10), ("earn", 25)]


def test_a_used_code_is_refused_with_a_clear_message(
    shop: Business, customer: Person, page: Page, world: World
) -> None:
    merchant_signs_in(page, shop.owner.email)
    # This browser has no camera at all: the page says so and the typed code still works.
    expect(page.locator("#camera-problem")).to_contain_text("No camera was found")
    code = world.token(customer)
    type_code(page, code["short_code"], world)
    expect(page.locator("#customer-name")).to_have_text("Carl Customer")

    page.get_by_role("button", name="Next customer").click()
    type_code(page, code["short_code"])
    expect(page.locator("#scan-error")).to_contain_text("That code did not open a visit")
    expect(page.locator("#customer-name")).to_have_count(0)

    type_code(page, "12345")
    expect(page.locator("#scan-error")).to_contain_text("Enter the 6 digits")


def test_a_denied_camera_is_explained_and_the_typed_code_still_works(
    shop: Business, customer: Person, world: World, browser: Browser, app_url: str
) -> None:
    denied = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--deny-permission-prompts"],
    )
    try:
        page = denied.new_context(viewport=PHONE, base_url=app_url, **READER).new_page()
        page.set_default_timeout(15_000)
        merchant_signs_in(page, shop.owner.email)
        expect(page.locator("#camera-problem")).to_contain_text("not allowed to use the camera")
        type_code(page, world.token(customer)["short_code"], world)
        expect(page.locator("#customer-name")).to_have_text("Carl Customer")
    finally:
        denied.close()

"""A customer forgot their phone: the till prints a receipt code, the customer types it on
Claim points, the points land on their card; the owner adjusts a card and downloads the
ledger and the members as CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import open_page, serious_violations, sign_in_through_ui
from tests.e2e.merchant.conftest import merchant_signs_in
from tests.support.world import Business, Person, World


def test_a_receipt_code_typed_by_the_customer(
    shop: Business,
    customer: Person,
    page: Page,
    second_page: Page,
    world: World,
    axe_script: Path,
) -> None:
    # The till: no phone, so a code on the receipt.
    merchant_signs_in(page, shop.owner.email)
    page.get_by_label("Purchase total (EUR)", exact=False).last.fill("12.50")
    page.get_by_role("button", name="Get a receipt code").click()
    code_text = page.locator("#receipt-code")
    expect(code_text).to_have_text(
        re.compile(r"^([0-9A-HJKMNP-TV-Z]{4}-){2}[0-9A-HJKMNP-TV-Z]{4}$")
    )
    expect(page.locator(".receipt-code-print")).to_contain_text("€12.50")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    assert serious_violations(page, axe_script) == []
    code = code_text.inner_text()

    # Later, at home: the customer claims it, typed the way people type.
    sign_in_through_ui(second_page, customer.email)
    second_page.get_by_role("link", name="Claim", exact=True).first.click()
    second_page.wait_for_url("**/claim")
    typed = code.lower().replace("-", " ")
    second_page.get_by_label("Code on the receipt").fill(typed)
    second_page.get_by_role("button", name="Claim points").click()
    expect(second_page.locator("#claim-done")).to_contain_text(
        f"12 points at {shop.name}. Your balance there is 12."
    )
    assert serious_violations(second_page, axe_script) == []

    # Once only.
    second_page.get_by_label("Code on the receipt").fill(code)
    second_page.get_by_role("button", name="Claim points").click()
    expect(second_page.locator("#claim-error")).to_contain_text("This code was already claimed")

    open_page(second_page, "/wallet")
    expect(second_page.locator(".rt-Card").filter(has_text=shop.name)).to_contain_text("12 points")
    open_page(second_page, "/history")
    expect(second_page.get_by_role("listitem").first).to_contain_text("Purchase (receipt code)")

    # The business sees it claimed.
    page.get_by_role("button", name="Next sale").click()
    open_page(page, "/merchant/receipts")
    expect(page.locator(".receipt-code-row").first).to_contain_text("Claimed")


def test_the_owner_adjusts_a_card_and_downloads_the_ledger(
    shop: Business, customer: Person, page: Page, world: World, axe_script: Path
) -> None:
    world.earn(world.visit(shop, customer), 30_00).expect(201)
    world.staff(shop)
    merchant_signs_in(page, shop.owner.email)

    open_page(page, "/merchant/members")
    row = page.locator(".member-row").filter(has_text=customer.name)
    expect(row).to_contain_text("30 pts")
    row.get_by_role("button", name=f"Adjust the points of {customer.name}").click()
    page.get_by_label("Points", exact=True).fill("5")
    page.get_by_label("Note (optional)").fill("Coffee was cold")
    expect(page.locator("#adjust-preview")).to_contain_text("goes from 30 to 35 points")
    assert serious_violations(page, axe_script) == []
    page.get_by_role("button", name="Save adjustment").click()
    expect(page.locator("#members-notice")).to_contain_text(
        f"+5 points for {customer.name}: their balance is now 35."
    )
    expect(row).to_contain_text("35 pts")

    open_page(page, "/merchant/exports")
    with page.expect_download() as download:
        page.get_by_role("button", name="Ledger").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["kind"] for r in rows] == ["earn", "adjustment"]
    assert rows[1]["note"] == "Coffee was cold" and rows[1]["points"] == "5"
    assert download.value.suggested_filename.endswith(".csv")
    expect(page.locator("#export-done")).to_contain_text("Downloaded 2 ledger entries.")
    with page.expect_download() as members_file:
        page.get_by_role("button", name="Members").click()
    (member,) = csv.DictReader(
        io.StringIO(Path(members_file.value.path()).read_text(encoding="utf-8"))
    )
    assert (member["customer"], member["balance"]) == (customer.name, "35")
    assert serious_violations(page, axe_script) == []

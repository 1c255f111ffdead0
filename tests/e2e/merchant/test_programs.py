"""Programs in the browser: a café sets a stamp card and a Tuesday promotion; a customer
collects stamps, sees the card fill, and gets the free item at the till."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.e2e.conftest import open_page, serious_violations, sign_in_through_ui
from tests.e2e.merchant.conftest import merchant_signs_in, type_code
from tests.support.world import Business, Person, World

BERLIN = ZoneInfo("Europe/Berlin")


def next_tuesday_half_past_four() -> float:
    """The next Tuesday 16:30 in Berlin, as an instant (the backend's clock goes there)."""
    now = datetime.now(BERLIN)
    day = now.date() + timedelta(days=(1 - now.weekday()) % 7)
    moment = datetime(day.year, day.month, day.day, 16, 30, tzinfo=BERLIN)
    if moment.timestamp() <= now.timestamp() + 60:
        moment += timedelta(days=7)
    return moment.timestamp()


def test_a_cafe_runs_a_stamp_card_and_a_tuesday_promotion(
    shop: Business,
    customer: Person,
    page: Page,
    second_page: Page,
    world: World,
    time_travel: Callable[[float], None],
    axe_script: Path,
) -> None:
    # The owner: the café is in Berlin, runs a 4-stamp card and doubles points on Tuesdays.
    merchant_signs_in(page, shop.owner.email)
    open_page(page, "/merchant/settings")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()

    open_page(page, "/merchant/programs")
    page.get_by_role("checkbox", name="Run a stamp card").click()
    page.get_by_label("Stamps for a free reward").fill("4")
    page.get_by_label("The free reward").fill("Free cake")
    expect(page.locator("#card-preview .stamp-empty")).to_have_count(4)
    page.get_by_role("button", name="Save stamp card").click()
    expect(page.locator("#card-saved")).to_contain_text(
        "Stamp card saved: 4 stamps for a Free cake."
    )

    page.get_by_label("Name", exact=True).fill("Double Tuesdays")
    page.get_by_label("What it gives").select_option("multiplier")
    page.get_by_label("Amount", exact=True).fill("200")
    page.get_by_role("checkbox", name="Runs on Tue").click()
    page.get_by_label("From (optional)").fill("16:00")
    page.get_by_label("Until (optional)").fill("18:00")
    page.get_by_role("button", name="Add promotion").click()
    expect(page.locator("#promotion-saved")).to_contain_text(
        "Double Tuesdays saved: x2 points, Tue 16:00-18:00, from"
    )
    row = page.locator(".promotion-row").filter(has_text="Double Tuesdays")
    expect(row).to_contain_text("running")
    assert serious_violations(page, axe_script) == []

    # It is Tuesday 16:30 in Berlin (the backend's clock; the browsers keep real time).
    time_travel(next_tuesday_half_past_four() - time.time())

    # The customer buys three times (at the till, through the API) and watches the card fill.
    phone = second_page
    sign_in_through_ui(phone, customer.email)
    for bought in (1, 2, 3):
        earned = world.earn(world.visit(shop, customer), 10_00).expect(201)["transaction"]
        assert (earned["points"], earned["promotion_name"]) == (20, "Double Tuesdays")
        open_page(phone, "/wallet")
        card = phone.locator(".membership").filter(has_text="Café Rosa")
        expect(card.locator(".stamp-filled")).to_have_count(bought)
        expect(card.locator(".stamp-empty")).to_have_count(4 - bought)
    expect(card.locator(".stamps-text")).to_have_text("3 of 4 stamps towards a Free cake")
    expect(card.locator(".wallet-promotion")).to_contain_text(
        "Double Tuesdays: x2 points, Tue 16:00-18:00"
    )
    assert serious_violations(phone, axe_script) == []

    # The fourth purchase at the till: the customer shows My code, the till types it.
    open_page(phone, "/code")
    short_code = phone.get_by_test_id("short-code")
    expect(short_code).to_have_text(re.compile(r"^\d{6}$"), timeout=15_000)
    open_page(page, "/merchant/scan")
    type_code(page, short_code.inner_text())
    expect(page.locator("#customer-name")).to_have_text("Carl Customer")
    expect(page.locator("#customer-stamps .stamp-filled")).to_have_count(3)
    expect(page.locator("#customer-stamps .stamps-text")).to_have_text("3 of 4 stamps")
    page.get_by_label("Purchase total (EUR)").fill("12.50")
    expect(page.locator("#award-preview")).to_have_text(
        "12.50 EUR earns 24 points at Bronze with Double Tuesdays (+12) and +1 stamp (4/4): card full."
    )
    page.get_by_role("button", name="Award points").click()
    receipt = page.locator(".receipt").first
    expect(receipt.locator(".receipt-points")).to_have_text("+24")
    expect(receipt.locator(".receipt-detail")).to_have_text(
        "Double Tuesdays: +12 points · +1 stamp (4/4): card full"
    )
    expect(page.locator("#customer-stamps .stamp-filled")).to_have_count(4)
    expect(page.locator("#customer-stamps .stamps-text")).to_have_text(
        "4 of 4 stamps: Free cake is free today"
    )
    expect(phone.get_by_role("heading", name="Scanned at Café Rosa", exact=False)).to_have_text(
        "Scanned at Café Rosa: +24 points (Double Tuesdays), +1 stamp (4/4): card full",
        timeout=20_000,
    )

    # The till offers the free cake and gives it: the card starts again.
    page.get_by_role("button", name="Give the free Free cake").click()
    latest = page.locator(".receipt").first
    expect(latest).to_contain_text("Gave the stamp card's Free cake")
    expect(latest.locator(".receipt-detail")).to_have_text("-4 stamps (a full card)")
    expect(page.locator("#customer-stamps .stamp-filled")).to_have_count(0)
    expect(page.get_by_role("button", name="Give the free Free cake")).to_have_count(0)
    assert serious_violations(page, axe_script) == []
    expect(phone.get_by_role("heading", name="Scanned at Café Rosa", exact=False)).to_contain_text(
        "Free cake from your stamp card", timeout=20_000
    )

    open_page(phone, "/wallet")
    card = phone.locator(".membership").filter(has_text="Café Rosa")
    expect(card.locator(".stamp-empty")).to_have_count(4)
    expect(card.locator(".stamps-text")).to_have_text("0 of 4 stamps towards a Free cake")
    open_page(phone, "/history")
    expect(phone.get_by_text("Stamp card: Free cake")).to_be_visible()
    expect(
        phone.get_by_text("Double Tuesdays: +12 points · +1 stamp (4/4): card full")
    ).to_be_visible()

    # The figures count what the promotion added: 3 x 10 and 12.
    open_page(page, "/merchant/figures")
    expect(page.locator(".promotion-figures").filter(has_text="Double Tuesdays")).to_contain_text(
        "42"
    )
    expect(page.locator("#fig-cards")).to_have_text("1")

    # The ledger lists the card given; refunding it gives the customer the full card back.
    open_page(page, "/merchant/ledger")
    page.get_by_role("radio", name="Stamp cards").click()
    given = page.locator(".ledger-row")
    expect(given).to_have_count(1)
    expect(given).to_contain_text("Stamp card: gave the Free cake (4 stamps)")
    given.get_by_role("button", name="Reverse").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Reverse").click()
    expect(page.locator("#ledger-notice")).to_contain_text(
        "Reversed: +0 points, +4 stamps (4/4): card full"
    )
    assert world.call("GET", "/wallet", customer).expect(200)["memberships"][0]["stamps"] == 4

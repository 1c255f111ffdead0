"""Money and dates as the reader reads them: a German browser in Berlin sees '12,50 €' and
Berlin's time; the same purchase in a US English browser in UTC reads '€12.50'."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PHONE, sign_in_through_ui
from tests.support.world import Business, Person, World


@pytest.fixture
def german_page(browser: Browser, app_url: str) -> Iterator[Page]:
    """A phone set to German, in Berlin."""
    context = browser.new_context(
        viewport=PHONE, base_url=app_url, locale="de-DE", timezone_id="Europe/Berlin"
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _purchase(world: World, shop: Business, customer: Person) -> str:
    earned = world.earn(world.visit(shop, customer), 12_50).expect(201)["transaction"]
    return str(earned["created_at"])


def test_a_german_reader_sees_euros_and_berlin_time(
    german_page: Page, world: World, shop: Business, customer: Person
) -> None:
    created_at = _purchase(world, shop, customer)  # e.g. 2026-12-01T21:05:00Z
    utc = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    in_berlin = utc.astimezone(ZoneInfo("Europe/Berlin")).strftime("%d.%m.%Y, %H:%M")
    sign_in_through_ui(german_page, customer.email)
    german_page.get_by_role("link", name="History", exact=True).click()
    german_page.wait_for_url("**/history")
    entry = german_page.get_by_role("listitem").filter(has_text="Purchase")
    expect(entry).to_contain_text(re.compile(r"Spent 12,50\s€"))
    expect(entry).to_contain_text(in_berlin)

    german_page.get_by_role("link", name="Businesses", exact=True).click()
    german_page.wait_for_url("**/businesses")
    expect(german_page.get_by_text(re.compile(r"1 point per 1,00\s€ spent")).first).to_be_visible()


def test_the_same_purchase_in_english(
    page: Page, world: World, shop: Business, customer: Person
) -> None:
    created_at = _purchase(world, shop, customer)
    sign_in_through_ui(page, customer.email)
    page.get_by_role("link", name="History", exact=True).click()
    page.wait_for_url("**/history")
    entry = page.get_by_role("listitem").filter(has_text="Purchase")
    expect(entry).to_contain_text("Spent €12.50")
    expect(entry).to_contain_text(re.compile(r"[A-Z][a-z]{2} \d{1,2}, " + created_at[:4]))

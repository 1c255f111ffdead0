"""Profile's "Emails" card: a receipts switch turned off in the browser stops the receipts.

The customer turns off receipts from Café Rosa on Profile; the next purchase there sends
no email (the notifier reads the settings before every send), the switch is still off after
a reload, and turning it on again brings the next receipt.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import open_page, serious_violations, sign_in_through_ui
from tests.support.local_cloud import emails, wait_for_emails
from tests.support.world import Business, Person, World


def _purchase(world: World, shop: Business, customer: Person) -> None:
    world.earn(world.visit(shop, customer), 5_00).expect(201)


def _receipts(local_cloud: dict[str, Any], customer: Person) -> list[str]:
    """The receipts' subjects ("Café Rosa: +5 points"), not the reminders'."""
    return [
        m["subject"]
        for m in emails(local_cloud, customer.email)
        if m["subject"].startswith("Café Rosa: +")
    ]


def test_receipts_switched_off_on_profile_stop_the_receipts(
    page: Page,
    world: World,
    shop: Business,
    customer: Person,
    local_cloud: dict[str, Any],
    axe_script: Path,
) -> None:
    _purchase(world, shop, customer)
    wait_for_emails(local_cloud, customer.email, 1)  # the first receipt

    sign_in_through_ui(page, customer.email)
    open_page(page, "/profile")
    emails_card = page.locator("#emails")
    rosa = emails_card.get_by_role("switch", name="Receipts from Café Rosa")
    expect(rosa).to_be_checked()
    rosa.click()
    expect(emails_card.get_by_role("status")).to_have_text("Receipts from Café Rosa are off.")
    expect(rosa).not_to_be_checked()
    assert serious_violations(page, axe_script) == []

    _purchase(world, shop, customer)
    time.sleep(3)  # the notifier reads the stream within a second or two
    assert _receipts(local_cloud, customer) == ["Café Rosa: +5 points"]  # none for this one

    page.reload()
    expect(rosa).not_to_be_checked()  # kept by the API, not the page
    rosa.click()
    expect(rosa).to_be_checked()
    _purchase(world, shop, customer)
    deadline = time.monotonic() + 30
    while len(_receipts(local_cloud, customer)) < 2:
        assert time.monotonic() < deadline, "the receipt switched on again never came"
        time.sleep(0.2)
    assert _receipts(local_cloud, customer) == ["Café Rosa: +5 points"] * 2

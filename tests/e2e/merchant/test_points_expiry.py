"""Points expiry in the browser: the owner sets a policy in Settings; weeks before the date
(the local cloud's clock moved) the customer's wallet says what expires when."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from loyalty import expiry
from tests.e2e.conftest import open_page, serious_violations, sign_in_through_ui
from tests.e2e.merchant.conftest import merchant_signs_in
from tests.support.world import Business, Person, World

DAY = 86_400


def cloud_now(local_cloud: dict) -> int:
    """The local cloud's clock (the backend's), in epoch seconds."""
    now = httpx.get(f"{local_cloud['api_url']}/dev/clock").json()["now"]
    return int(datetime.fromisoformat(str(now).replace("Z", "+00:00")).timestamp())


def test_the_wallet_says_what_expires_when_ahead_of_time(
    shop: Business,
    customer: Person,
    page: Page,
    second_page: Page,
    world: World,
    local_cloud: dict,
    time_travel: Callable[[float], None],
    axe_script: Path,
) -> None:
    # The owner: points expire after 3 months without a visit.
    merchant_signs_in(page, shop.owner.email)
    open_page(page, "/merchant/settings")
    page.get_by_label("Months without a visit before points expire").fill("3")
    expect(page.locator("#expiry-summary")).to_contain_text(
        "A customer's points expire 3 months after their last visit."
    )
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()

    # The customer buys something: 42 points, nothing said yet (the date is months away).
    world.earn(world.visit(shop, customer), 42_00).expect(201)
    sign_in_through_ui(second_page, customer.email)
    card = second_page.locator(".rt-Card").filter(has_text=shop.name)
    expect(card).to_contain_text("42 points")
    expect(card.locator(".expiry-notice")).to_have_count(0)

    # Ten days before the date: the wallet warns.
    due = expiry.add_months(cloud_now(local_cloud), 3)
    time_travel(due - 10 * DAY - cloud_now(local_cloud))
    open_page(second_page, "/wallet")
    when = datetime.fromtimestamp(due, UTC)
    notice = card.locator(".expiry-notice")
    expect(notice).to_contain_text(
        f"42 points expire on {when.strftime('%B')} {when.day}. A visit before then keeps them."
    )
    assert serious_violations(second_page, axe_script) == []

    # A visit puts the date back: the warning goes.
    world.earn(world.visit(shop, customer), 1_00).expect(201)
    open_page(second_page, "/wallet")
    expect(card).to_contain_text("43 points")
    expect(card.locator(".expiry-notice")).to_have_count(0)
    expect(second_page.get_by_text(re.compile("expire on"))).to_have_count(0)

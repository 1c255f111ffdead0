"""A lost answer at the till: the API booked the points, the till never heard back.

The browser talks to the state server over a websocket and the state server calls the
API over HTTP, so the answer is lost on that hop (`api_link`, a pass-through proxy).
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.app_under_test import LossyLink
from tests.e2e.merchant.conftest import merchant_signs_in, type_code
from tests.support.world import Business, Person, World


def test_award_again_after_a_lost_answer_books_the_points_once(
    shop: Business,
    customer: Person,
    page: Page,
    world: World,
    api_link: LossyLink,
) -> None:
    merchant_signs_in(page, shop.owner.email)
    type_code(page, world.token(customer)["short_code"], world)
    expect(page.locator("#customer-name")).to_have_text("Carl Customer")

    api_link.lose_next_answer("POST", r"/visits/[^/]+/earn$")
    page.get_by_label("Purchase total (EUR)").fill("12.50")
    page.get_by_role("button", name="Award points").click()
    expect(page.locator("#action-error")).to_contain_text(
        "Tap the button again to retry: the customer will not be credited twice."
    )
    assert len(api_link.lost) == 1
    expect(page.locator(".receipt")).to_have_count(0)

    page.get_by_role("button", name="Award points").click()
    expect(page.locator("#customer-balance")).to_have_text("12")
    expect(page.locator(".receipt")).to_have_count(1)
    expect(page.locator("#action-error")).to_have_text("")

    ledger = world.call("GET", f"{shop.path}/transactions", shop.owner).expect(200)["items"]
    assert [(tx["kind"], tx["points"]) for tx in ledger] == [("earn", 12)]

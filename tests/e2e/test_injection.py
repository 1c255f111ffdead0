"""Names are text: markup, SQL, template syntax, bidi controls and emoji show as typed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect

from tests.e2e.conftest import PHONE, READER, open_page, sign_in_through_ui
from tests.e2e.merchant.conftest import merchant_signs_in, type_code
from tests.support.world import World

# A script tag, an SQL quote, a template expression, a right-to-left override, an emoji.
NASTY = "<script>alert(1)</script> ' OR 1=1 {{7*7}} \u202eRTL 🎉"


class Watched:
    """Fresh phone-sized browsers that note every dialog (alert) a page tries to open."""

    def __init__(self, browser: Browser, app_url: str) -> None:
        self.browser, self.app_url = browser, app_url
        self.contexts: list[BrowserContext] = []
        self.dialogs: list[str] = []

    def _seen(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def new_page(self) -> Page:
        """A page in a browser of its own (no shared cookies)."""
        context = self.browser.new_context(viewport=PHONE, base_url=self.app_url, **READER)
        context.set_default_timeout(15_000)
        context.on("dialog", self._seen)
        self.contexts.append(context)
        return context.new_page()


@pytest.fixture
def watched(browser: Browser, app_url: str) -> Iterator[Watched]:
    """Browsers whose dialogs are recorded; closed after the test."""
    w = Watched(browser, app_url)
    yield w
    for context in w.contexts:
        context.close()


def assert_shown_as_text(page: Page) -> None:
    """The page's text holds the name exactly, and no script element carries it."""
    assert NASTY in page.evaluate("() => document.body.innerText")
    assert page.locator("script", has_text="alert(1)").count() == 0


def test_a_nasty_business_and_customer_name_render_as_plain_text(
    watched: Watched, world: World
) -> None:
    page = watched.new_page()
    owner = world.owner()
    customer = world.customer(NASTY)
    assert world.business(owner, NASTY).name == NASTY

    # The till: the business (header) and the customer's display name.
    merchant_signs_in(page, owner.email)
    type_code(page, world.token(customer)["short_code"], world)
    expect(page.locator("#customer-name")).to_have_text(NASTY)
    assert_shown_as_text(page)
    page.get_by_label("Purchase total (EUR)").fill("5")
    page.get_by_role("button", name="Award points").click()
    expect(page.locator("#customer-balance")).to_have_text("5")

    # The customer's wallet and the business directory.
    page = watched.new_page()
    sign_in_through_ui(page, customer.email)
    expect(page.locator(".rt-Card").filter(has_text=NASTY)).to_contain_text("5 points")
    assert_shown_as_text(page)
    open_page(page, "/businesses")
    expect(page.locator(".rt-Card").filter(has_text=NASTY)).to_be_visible()
    assert_shown_as_text(page)
    assert watched.dialogs == []

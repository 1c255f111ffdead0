"""What the eye catches, where axe does not look: hover and focus, spacing, a stale number,
and a stylesheet cut down to what the pages use (epoint_ui/first_paint.py)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from epoint_ui.components.layout import NAV_LINKS
from tests.e2e.app_under_test import LossyLink
from tests.e2e.conftest import RunningApp, open_page, sign_in_through_ui
from tests.e2e.contrast import focus_problems, hover_problems
from tests.e2e.merchant.conftest import merchant_signs_in, type_code
from tests.support.world import Business, Person, World

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def test_navigation_keeps_its_contrast_under_the_mouse_and_in_focus(
    page: Page, shop: Business
) -> None:
    page.set_viewport_size(DESKTOP)
    open_page(page, "/")
    assert hover_problems(page) + focus_problems(page) == []

    merchant_signs_in(page, shop.owner.email)
    expect(page.get_by_role("navigation", name="Business")).to_be_visible()
    # The header (every NAV_LINKS entry) and the merchant tabs (Scan ... Staff), then the phone's bar.
    assert hover_problems(page) + focus_problems(page) == []
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("navigation", name="Main (phone)")).to_be_visible()
    assert hover_problems(page) + focus_problems(page) == []


def test_the_header_icons_stand_apart_from_their_labels(page: Page, customer: Person) -> None:
    page.set_viewport_size(DESKTOP)
    sign_in_through_ui(page, customer.email)
    header = page.get_by_role("navigation", name="Main", exact=True)
    expect(header).to_be_visible()
    links = header.get_by_role("link")
    assert links.count() == len(NAV_LINKS)  # Wallet, My code, History, Claim, ... Shop
    for i in range(links.count()):
        icon = links.nth(i).locator("svg").bounding_box()
        label = links.nth(i).locator("p").bounding_box()
        assert icon and label
        gap = label["x"] - (icon["x"] + icon["width"])
        assert gap >= 4, f"{links.nth(i).inner_text()}: icon and label {gap:.0f} px apart"


_SHOWN_AS_CURRENT = """(text) => [...document.querySelectorAll('p, span, strong')]
    .filter((el) => el.textContent.trim() === text)
    .some((el) => getComputedStyle(el).color !== 'rgba(0, 0, 0, 0)'
                  && el.checkVisibility() && el.closest('[aria-hidden="true"]') === null)"""
_LOADING = re.compile("Updating your balances|Loading your wallet")


def test_the_wallet_never_shows_the_old_balance_as_current(
    page: Page, world: World, shop: Business, customer: Person, api_link: LossyLink
) -> None:
    visit = world.visit(shop, customer)
    world.earn(visit, 1250).expect(201)
    sign_in_through_ui(page, customer.email)
    expect(page.get_by_text("12 points", exact=True)).to_be_visible()
    assert page.evaluate(_SHOWN_AS_CURRENT, "12 points")

    page.get_by_role("link", name="History", exact=True).click()
    page.wait_for_url("**/history")
    world.redeem(visit, reward_id=shop.reward.reward_id).expect(201)  # 12 - 10 at the till
    api_link.delay_next_answer("GET", r"^/wallet$", 2.0)  # a slow network
    page.get_by_role("link", name="Wallet", exact=True).click()

    # While the wallet reloads it says so, and the old number is not shown as the balance.
    loading = page.get_by_role("status").filter(has_text=_LOADING).or_(page.get_by_label(_LOADING))
    expect(loading.first).to_be_visible()
    assert not page.evaluate(_SHOWN_AS_CURRENT, "12 points")

    expect(page.get_by_text("2 points", exact=True)).to_be_visible(timeout=10_000)
    assert page.evaluate(_SHOWN_AS_CURRENT, "2 points")
    expect(page.get_by_text(_LOADING)).to_have_count(0)


# Every page, signed out, as the customer and as the owner, with something in each list,
# an error on screen and the ledger's confirmation dialog open.
_PUBLIC = ("/", "/sign-up", "/forgot-password", "/verify", "/dev/outbox")
_CUSTOMER = ("/wallet", "/code", "/history", "/businesses", "/profile")
_OWNER = ("/merchant", "/merchant/figures", "/merchant/settings", "/merchant/rewards")
_CLASSES_ON_SCREEN = """() => [...new Set([...document.querySelectorAll('[class]')]
    .flatMap((el) => [...el.classList]).filter((c) => /^(\\w+:)?-?rt-/.test(c)))]"""
_CLASS_IN_CSS = re.compile(r"\.((?:\w+\\:)?-?rt-[\w-]+)")


def _classes_in(css: str) -> set[str]:
    return {match.replace("\\", "") for match in _CLASS_IN_CSS.findall(css)}


def test_every_radix_class_on_screen_has_its_rules(
    page: Page, world: World, shop: Business, customer: Person, running_app: RunningApp
) -> None:
    visit = world.visit(shop, customer)
    world.earn(visit, 2500).expect(201)
    world.redeem(visit, reward_id=shop.reward.reward_id).expect(201)
    on_screen: dict[str, str] = {}

    def look(where: str) -> None:
        page.wait_for_timeout(300)  # the page's own load has answered
        for name in page.evaluate(_CLASSES_ON_SCREEN):
            on_screen.setdefault(name, where)

    for route in _PUBLIC:
        open_page(page, route)
        look(route)
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Email").fill(customer.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    look("/sign-in, wrong password")

    sign_in_through_ui(page, customer.email)
    for route in _CUSTOMER:
        open_page(page, route)
        look(route)
    page.context.clear_cookies()

    merchant_signs_in(page, shop.owner.email)
    type_code(page, world.token(world.customer())["short_code"], world)
    expect(page.locator("#customer-name")).to_be_visible()
    look("/merchant/scan, a visit")
    for route in _OWNER:
        open_page(page, route)
        look(route)
    open_page(page, "/merchant/ledger")
    page.locator(".ledger-row").first.get_by_role("button", name="Reverse").click()
    expect(page.get_by_role("alertdialog")).to_be_visible()
    look("/merchant/ledger, reverse dialog")

    served = "".join(
        page.evaluate(
            """() => [...document.styleSheets].flatMap((s) => {
                 try { return [...s.cssRules].map((r) => r.cssText); } catch { return []; }
               })"""
        )
    )
    radix = running_app.web_dir / "node_modules" / "@radix-ui" / "themes" / "styles.css"
    styled_by_radix = _classes_in(Path(radix).read_text())
    kept = _classes_in(served)
    missing = {
        name: where
        for name, where in on_screen.items()
        if name in styled_by_radix and name not in kept
    }
    assert missing == {}
    assert len(on_screen) > 40  # the tour did see the pages

"""What a customer with some history sees: wallet cards, filtered history, refunds, directory."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import serious_violations, sign_in_through_ui, visit_allowed_on_phone
from tests.support.local_cloud import outbox_code
from tests.support.world import Business, Person, World


def _purchase(world: World, shop: Business, customer: Person, cents: int) -> str:
    """The customer shows a code, the owner books a purchase; returns the transaction id."""
    earned = world.earn(world.visit(shop, customer), cents).expect(201)
    return str(earned["transaction"]["tx_id"])


def test_wallet_history_filter_refund_and_directory(
    page: Page, world: World, axe_script: Path
) -> None:
    customer = world.customer("Hana")
    owner = world.owner("Owner of two shops")
    bakery = world.business(owner, "Brot & Co", "bakery")
    books = world.business(owner, "Page Turner", "retail")
    world.reward(bakery, "Free croissant", 20)
    _purchase(world, bakery, customer, 3000)  # +30 points
    refunded = _purchase(world, books, customer, 900)  # +9
    world.reverse(books, refunded, reason="returned").expect(201)

    sign_in_through_ui(page, customer.email)
    bakery_card = page.locator(".rt-Card").filter(has_text="Brot & Co")
    expect(bakery_card).to_contain_text("30 points")
    expect(bakery_card).to_contain_text("Bronze")
    expect(bakery_card).to_contain_text("470 more points to Silver")
    expect(bakery_card).to_contain_text("Free croissant (20 points)")
    expect(page.locator(".rt-Card").filter(has_text="Page Turner")).to_contain_text("0 points")
    assert serious_violations(page, axe_script) == []

    page.get_by_role("link", name="History", exact=True).click()
    page.wait_for_url("**/history")
    entries = page.get_by_role("listitem")
    expect(entries).to_have_count(3)
    expect(entries.first).to_contain_text("Refund")  # newest first
    expect(entries.first).to_contain_text("-9 points")
    expect(entries.first).to_contain_text("Reverses the purchase of")
    expect(entries.filter(has_text="Page Turner").filter(has_text="+9 points")).to_contain_text(
        "Refunded"
    )
    page.get_by_label("Business").select_option(label="Brot & Co")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("+30 points")
    assert serious_violations(page, axe_script) == []

    page.get_by_role("link", name="Businesses", exact=True).click()
    page.wait_for_url("**/businesses")
    expect(page.get_by_role("heading", name="Bakery", exact=True)).to_be_visible()
    expect(page.locator(".rt-Card").filter(has_text="Brot & Co")).to_contain_text(
        "Free croissant: 20 points"
    )
    expect(page.locator(".rt-Card").filter(has_text="Brot & Co")).to_contain_text(
        "1 point per €1.00 spent"
    )
    assert serious_violations(page, axe_script) == []


def test_forgot_password_then_sign_in_with_the_new_one(
    page: Page, world: World, local_cloud: dict[str, Any]
) -> None:
    user = world.person("Forgetful")
    page.goto("/sign-in", wait_until="load")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url("**/forgot-password")
    page.get_by_label("Email").fill(user.email)
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_label("Code from the email").fill(
        outbox_code(local_cloud, user.email, "forgot_password")
    )
    page.get_by_label("New password").fill("Brand-new-Passw0rd")
    page.get_by_role("button", name="Set new password").click()
    page.wait_for_url("**/sign-in")
    expect(page.get_by_role("status")).to_have_text(
        "Your password is changed. Sign in with the new one."
    )
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("Brand-new-Passw0rd")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/wallet")


def test_history_pages_through_older_entries(
    page: Page, world: World, time_travel: Callable[[float], None]
) -> None:
    customer = world.customer("Regular")
    shop = world.business(world.owner("Corner shop owner"), "Corner Shop", "grocery")
    for euros in range(1, 22):  # 21 purchases: one more than a page
        if euros % 10 == 0:
            time_travel(61)  # a customer gets 12 codes a minute (per-caller limits)
        _purchase(world, shop, customer, euros * 100)

    sign_in_through_ui(page, customer.email)
    page.get_by_role("link", name="History", exact=True).click()
    page.wait_for_url("**/history")
    entries = page.get_by_role("listitem")
    expect(entries).to_have_count(20)
    expect(entries.first).to_contain_text("+21 points")  # newest first
    expect(page.get_by_role("button", name="Newer")).to_be_disabled()
    page.get_by_role("button", name="Older").click()
    expect(page.get_by_text("Page 2")).to_be_visible()
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("+1 point")
    expect(page.get_by_role("button", name="Older")).to_be_disabled()
    page.get_by_role("button", name="Newer").click()
    expect(entries).to_have_count(20)


def test_my_code_shows_a_redemption(page: Page, world: World) -> None:
    customer = world.customer("Greta")
    shop = world.business(world.owner("Tea room owner"), "Tea Room")
    scone = world.reward(shop, "Scone", 15)
    _purchase(world, shop, customer, 4000)  # 40 points

    sign_in_through_ui(page, customer.email)
    page.get_by_role("link", name="My code", exact=True).click()
    code = page.get_by_test_id("short-code")
    expect(code).to_have_text(re.compile(r"^\d{6}$"))
    visit = visit_allowed_on_phone(world, shop, code.inner_text(), page)
    world.redeem(visit, reward_id=scone.reward_id).expect(201)
    expect(
        page.get_by_role("heading", name="Scanned at Tea Room: 15 points redeemed")
    ).to_be_visible(timeout=5_000)
    expect(page.get_by_role("status")).to_contain_text("Your balance at Tea Room: 25 points")

"""What a customer with some history sees: wallet cards, filtered history, refunds, directory."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Account, Accounts, api, serious_violations, sign_in_through_ui

_keys = itertools.count()


def _purchase(
    cloud: dict[str, Any], owner: Account, shop_id: str, customer: Account, cents: int
) -> str:
    """The customer shows a code, the owner books a purchase; returns the transaction id."""
    with api(cloud, customer) as me:
        token = me.post("/qr-tokens").json()["token"]
    with api(cloud, owner) as till:
        visit = till.post(f"/merchants/{shop_id}/visits", json={"token": token})
        assert visit.status_code == 201, visit.text
        earn = till.post(
            f"/merchants/{shop_id}/visits/{visit.json()['visit_id']}/earn",
            json={"amount_cents": cents},
            headers={"Idempotency-Key": f"e2e-history-{next(_keys)}-{shop_id}"},
        )
        assert earn.status_code == 201, earn.text
        return str(earn.json()["transaction"]["tx_id"])


def test_wallet_history_filter_refund_and_directory(
    page: Page, accounts: Accounts, local_cloud: dict[str, Any], axe_script: Path
) -> None:
    customer = accounts.create("Hana")
    owner = accounts.create("Owner of two shops")
    with api(local_cloud, owner) as o:
        bakery = o.post("/merchants", json={"name": "Brot & Co", "category": "bakery"}).json()
        books = o.post("/merchants", json={"name": "Page Turner", "category": "retail"}).json()
        reward = o.post(
            f"/merchants/{bakery['merchant_id']}/rewards",
            json={"name": "Free croissant", "cost_points": 20},
        )
        assert reward.status_code == 201, reward.text
    _purchase(local_cloud, owner, bakery["merchant_id"], customer, 3000)  # +30 points
    refunded = _purchase(local_cloud, owner, books["merchant_id"], customer, 900)  # +9
    with api(local_cloud, owner) as o:
        reverse = o.post(
            f"/merchants/{books['merchant_id']}/transactions/{refunded}/reverse",
            json={"reason": "returned"},
            headers={"Idempotency-Key": f"e2e-history-reverse-{refunded}"},
        )
        assert reverse.status_code == 201, reverse.text

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
        "1 point per EUR 1 spent"
    )
    assert serious_violations(page, axe_script) == []


def test_forgot_password_then_sign_in_with_the_new_one(page: Page, accounts: Accounts) -> None:
    user = accounts.create("Forgetful")
    page.goto("/sign-in", wait_until="load")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url("**/forgot-password")
    page.get_by_label("Email").fill(user.email)
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_label("Code from the email").fill(
        accounts.outbox_code(user.email, "forgot_password")
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
    page: Page, accounts: Accounts, local_cloud: dict[str, Any]
) -> None:
    customer = accounts.create("Regular")
    owner = accounts.create("Corner shop owner")
    with api(local_cloud, owner) as o:
        shop = o.post("/merchants", json={"name": "Corner Shop", "category": "grocery"}).json()
    for euros in range(1, 22):  # 21 purchases: one more than a page
        _purchase(local_cloud, owner, shop["merchant_id"], customer, euros * 100)

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


def test_my_code_shows_a_redemption(
    page: Page, accounts: Accounts, local_cloud: dict[str, Any]
) -> None:
    customer = accounts.create("Greta")
    owner = accounts.create("Tea room owner")
    with api(local_cloud, owner) as o:
        shop = o.post("/merchants", json={"name": "Tea Room", "category": "cafe"}).json()
        reward = o.post(
            f"/merchants/{shop['merchant_id']}/rewards", json={"name": "Scone", "cost_points": 15}
        ).json()
    _purchase(local_cloud, owner, shop["merchant_id"], customer, 4000)  # 40 points

    sign_in_through_ui(page, customer.email)
    page.get_by_role("link", name="My code", exact=True).click()
    code = page.get_by_test_id("short-code")
    expect(code).to_have_text(re.compile(r"^\d{6}$"))
    with api(local_cloud, owner) as till:
        visit = till.post(
            f"/merchants/{shop['merchant_id']}/visits", json={"token": code.inner_text()}
        )
        assert visit.status_code == 201, visit.text
        redeem = till.post(
            f"/merchants/{shop['merchant_id']}/visits/{visit.json()['visit_id']}/redeem",
            json={"reward_id": reward["reward_id"]},
            headers={"Idempotency-Key": f"e2e-redeem-{visit.json()['visit_id']}"},
        )
        assert redeem.status_code == 201, redeem.text
    expect(
        page.get_by_role("heading", name="Scanned at Tea Room: 15 points redeemed")
    ).to_be_visible(timeout=5_000)
    expect(page.get_by_role("status")).to_contain_text("Your balance at Tea Room: 25 points")

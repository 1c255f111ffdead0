"""Profile: download my data, and delete my account (with the password, not just a session).

After a deletion the person cannot sign in, the business still sees its history with the
name gone ("Deleted customer"), and the books still reconcile.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PHONE, READER, open_page, serious_violations, sign_in_through_ui
from tests.proof.conftest import reconcile
from tests.support.world import Business, Person, World


def _history(world: World, customer: Person) -> set[str]:
    """Every transaction id of the customer, through the API."""
    ids, cursor = set(), None
    while True:
        page = world.call(
            "GET",
            "/transactions",
            customer,
            query={"limit": 100, **({"cursor": cursor} if cursor else {})},
        ).expect(200)
        ids |= {item["tx_id"] for item in page["items"]}
        cursor = page["next_cursor"]
        if not cursor:
            return ids


def test_download_my_data_gives_every_entry_as_json_and_csv(
    page: Page, world: World, shop: Business, customer: Person, axe_script: Path
) -> None:
    other = world.business(world.owner("Bo Baker"), "Bakery Bo", "bakery")
    for business, cents in ((shop, 12_50), (other, 3_00), (shop, 7_00)):
        world.earn(world.visit(business, customer), cents).expect(201)
    world.redeem(world.visit(shop, customer), reward_id=shop.reward.reward_id).expect(201)
    expected = _history(world, customer)
    assert len(expected) == 4

    sign_in_through_ui(page, customer.email)
    open_page(page, "/profile")
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()
    assert serious_violations(page, axe_script) == []

    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Download all (JSON)").click()
    document = json.loads(Path(downloaded.value.path()).read_text())
    assert downloaded.value.suggested_filename.startswith("epoint-data-")
    assert document["profile"]["email"] == customer.email
    assert {t["tx_id"] for t in document["transactions"]} == expected
    assert {m["merchant_name"] for m in document["memberships"]} == {"Café Rosa", "Bakery Bo"}

    with page.expect_download() as downloaded:
        page.get_by_role("button", name="Transactions (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(downloaded.value.path()).read_text())))
    assert {row["tx_id"] for row in rows} == expected
    assert sorted(int(row["points"]) for row in rows) == [-10, 3, 7, 12]


def _delete(page: Page, password: str) -> None:
    page.get_by_role("button", name="Delete my account…").click()
    page.get_by_label("Your password").fill(password)
    page.get_by_role("button", name="Delete my account for good").click()


def test_a_stolen_session_cannot_delete_the_account_without_the_password(
    page: Page, browser: Browser, app_url: str, world: World, shop: Business, customer: Person
) -> None:
    world.earn(world.visit(shop, customer), 20_00).expect(201)
    sign_in_through_ui(page, customer.email)
    # Someone copies the session cookie into their own browser: they are signed in as the
    # customer, but do not know the password.
    thief = browser.new_context(viewport=PHONE, base_url=app_url, **READER)
    try:
        thief.add_cookies(page.context.cookies())
        stolen = thief.new_page()
        open_page(stolen, "/profile")
        expect(stolen.get_by_test_id("profile-email")).to_have_text(customer.email)
        _delete(stolen, "Guessed-Passw0rd")
        expect(stolen.get_by_role("alert")).to_contain_text("That password isn't right.")
    finally:
        thief.close()
    assert world.call("GET", "/me", customer).expect(200)["email"] == customer.email
    assert world.balance(customer, shop) == 20


def test_an_owner_is_told_to_hand_over_their_business_first(
    page: Page, shop: Business, axe_script: Path
) -> None:
    sign_in_through_ui(page, shop.owner.email)
    open_page(page, "/profile")
    notice = page.locator("#owner-must-hand-over")
    expect(notice).to_contain_text("You own Café Rosa. Hand the business over")
    expect(page.get_by_role("button", name="Delete my account…")).to_have_count(0)
    assert serious_violations(page, axe_script) == []


def test_delete_my_account(
    page: Page,
    browser: Browser,
    app_url: str,
    world: World,
    shop: Business,
    customer: Person,
    local_cloud: dict[str, Any],
    axe_script: Path,
) -> None:
    world.earn(world.visit(shop, customer), 25_00).expect(201)
    world.redeem(world.visit(shop, customer), reward_id=shop.reward.reward_id).expect(201)
    sign_in_through_ui(page, customer.email)
    open_page(page, "/profile")
    page.get_by_role("button", name="Delete my account…").click()
    assert serious_violations(page, axe_script) == []
    page.get_by_label("Your password").fill(customer.password)
    page.get_by_role("button", name="Delete my account for good").click()

    page.wait_for_url(app_url + "/")
    expect(page.get_by_role("status")).to_contain_text("Your account is deleted")
    # The person cannot sign in any more.
    open_page(page, "/sign-in")
    page.get_by_label("Email").fill(customer.email)
    page.get_by_label("Password").fill(customer.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password.")

    # The business still sees the history, without the name.
    owner = browser.new_context(viewport=PHONE, base_url=app_url, **READER)
    try:
        till = owner.new_page()
        sign_in_through_ui(till, shop.owner.email)
        open_page(till, "/merchant/ledger")
        rows = till.locator(".ledger-row")
        expect(rows).to_have_count(3)
        for row in rows.all():
            expect(row).to_contain_text("Deleted customer")
        expect(rows.first).to_contain_text("Account deleted: balance closed")
        expect(rows.first).to_contain_text("-15")
    finally:
        owner.close()
    found, output = reconcile(local_cloud["api_url"])
    assert found == 0, output

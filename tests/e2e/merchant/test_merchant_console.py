"""The business console: register, ledger and reverse, staff by invitation, accessibility."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import open_page, serious_violations, sign_in_through_ui
from tests.e2e.merchant.conftest import merchant_signs_in, type_code
from tests.support.world import Business, Person, World


def award_and_redeem_through_api(world: World, shop: Business, customer: Person) -> None:
    """A visit where the customer earns 12 points and spends 10 of them on the reward."""
    visit = world.visit(shop, customer)
    world.earn(visit, 1250).expect(201)
    world.redeem(visit, reward_id=shop.reward.reward_id).expect(201)


def test_reverse_explains_spent_points_and_refunds_a_redemption(
    shop: Business, customer: Person, page: Page, world: World, axe_script: Path
) -> None:
    award_and_redeem_through_api(world, shop, customer)
    merchant_signs_in(page, shop.owner.email)
    open_page(page, "/merchant/ledger")
    rows = page.locator(".ledger-row")
    expect(rows).to_have_count(2)
    earn = rows.filter(has_text="Purchase of 12.50 EUR")
    redeem = rows.filter(has_text="Redeemed Free coffee")

    # The customer already spent 10 of the 12 points: the refund of the purchase is refused.
    earn.get_by_role("button", name="Reverse").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Reverse this transaction?")
    dialog.get_by_role("button", name="Reverse").click()
    expect(page.locator("#reverse-error")).to_contain_text("already spent these points")
    assert serious_violations(page, axe_script) == []
    dialog.get_by_role("button", name="Keep it").click()
    expect(dialog).to_have_count(0)

    # Refunding the redemption gives the 10 points back...
    redeem.get_by_role("button", name="Reverse").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Reverse").click()
    expect(page.locator("#ledger-notice")).to_contain_text(
        "+10 points, the customer's balance is now 12"
    )
    expect(rows).to_have_count(3)
    expect(redeem.get_by_text("Reversed")).to_be_visible()

    # ...after which the purchase can be reversed too.
    earn.get_by_role("button", name="Reverse").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Reverse").click()
    expect(page.locator("#ledger-notice")).to_contain_text(
        "-12 points, the customer's balance is now 0"
    )

    page.get_by_role("radio", name="Reversals").click()
    expect(rows).to_have_count(2)
    assert world.balance(customer, shop) == 0


def test_invited_staff_accept_then_scan_but_cannot_reach_settings_and_can_leave(
    shop: Business, world: World, customer: Person, page: Page, axe_script: Path
) -> None:
    staff = world.person("Sam Staff")
    merchant_signs_in(page, shop.owner.email)
    open_page(page, "/merchant/staff")
    page.get_by_label("Their email").fill(staff.email)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {staff.email}")
    # Invited is not hired: the invitation waits, the team is still just the owner.
    expect(page.locator(".invitation-row").filter(has_text=staff.email)).to_be_visible()
    expect(page.locator(".staff-row").filter(has_text=staff.email)).to_have_count(0)
    assert serious_violations(page, axe_script) == []
    assert world.call("GET", f"{shop.path}/transactions", staff).status == 403
    page.context.clear_cookies()

    # Sam says yes on the businesses page and lands at Café Rosa's till.
    sign_in_through_ui(page, staff.email)
    open_page(page, "/merchant")
    invitation = page.locator(".invitation-row").filter(has_text="Café Rosa")
    expect(invitation).to_contain_text("Olga Owner invites you")
    assert serious_violations(page, axe_script) == []
    invitation.get_by_role("button", name="Accept Café Rosa").click()
    page.wait_for_url("**/merchant/scan")
    expect(page.locator("#business-name")).to_have_text("Café Rosa")
    type_code(page, world.token(customer)["short_code"])
    expect(page.locator("#customer-name")).to_have_text("Carl Customer")
    business_nav = page.get_by_role("navigation", name="Business")
    expect(business_nav.get_by_role("link", name="Ledger")).to_be_visible()
    expect(business_nav.get_by_role("link", name="Settings")).to_have_count(0)

    for section in ("settings", "rewards", "programs", "staff"):
        open_page(page, f"/merchant/{section}")
        expect(page.locator("#owner-only")).to_contain_text("Only the owner of Café Rosa")
    assert serious_violations(page, axe_script) == []
    expect(page.get_by_role("button", name="Save settings")).to_have_count(0)

    refused = world.call("PATCH", shop.path, staff, body={"name": "Mine now"})
    assert (refused.status, refused.code) == (403, "owner_only")

    # And Sam can leave: from then on the business is not theirs to act for.
    open_page(page, "/merchant")
    page.get_by_role("button", name="Leave Café Rosa").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("You will no longer scan customers")
    assert serious_violations(page, axe_script) == []
    dialog.get_by_role("button", name="Leave").click()
    expect(page.get_by_role("status").filter(has_text="You left Café Rosa.")).to_be_visible()
    expect(page.get_by_role("button", name="Open Café Rosa")).to_have_count(0)
    assert world.call("GET", f"{shop.path}/transactions", staff).status == 403


def test_the_emailed_link_asks_after_sign_in_and_a_cancelled_one_is_dead(
    shop: Business, world: World, page: Page, second_page: Page, axe_script: Path
) -> None:
    invitee = world.person("Ivy Invitee")
    world.invite(shop, invitee.email).expect(202)
    token = world.invitation(invitee, shop)

    # Signed out, the link goes through sign-in and comes back to the invitation.
    open_page(page, f"/invitation?token={token}")
    page.wait_for_url(re.compile(r"/sign-in\?next="))
    page.get_by_label("Email").fill(invitee.email)
    page.get_by_label("Password").fill(invitee.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/invitation\?token="))
    expect(page.locator("#invitation-business")).to_have_text("Café Rosa")
    expect(
        page.get_by_text("Olga Owner invites you to join the staff of Café Rosa")
    ).to_be_visible()
    assert serious_violations(page, axe_script) == []
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_role("status")).to_contain_text(
        "You declined the invitation from Café Rosa."
    )
    expect(page.locator("#invitation-business")).to_have_count(0)
    assert world.call("GET", f"{shop.path}/transactions", invitee).status == 403

    # The owner cancels a second invitation; its link then says it is no longer open.
    world.invite(shop, invitee.email).expect(202)
    second = world.invitation(invitee, shop)
    merchant_signs_in(second_page, shop.owner.email)  # the owner, on their own phone
    open_page(second_page, "/merchant/staff")
    second_page.get_by_role("button", name=f"Cancel the invitation to {invitee.email}").click()
    expect(second_page.locator(".invitation-row")).to_have_count(0)
    open_page(page, f"/invitation?token={second}")
    expect(page.get_by_role("alert")).to_contain_text("This invitation is no longer open")
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)


def test_register_a_business_and_every_merchant_page_is_accessible(
    world: World, customer: Person, page: Page, axe_script: Path
) -> None:
    owner = world.owner("Nina New")
    sign_in_through_ui(page, owner.email)
    open_page(page, "/merchant")
    expect(page.get_by_role("heading", name="No business yet")).to_be_visible()
    assert serious_violations(page, axe_script) == []

    page.get_by_label("Business name").fill("Bäckerei Nina")
    page.get_by_label("Category").select_option("bakery")
    page.get_by_label("Points per currency unit").fill("2")
    page.get_by_role("button", name="Register business").click()
    page.wait_for_url("**/merchant/settings")
    expect(page.locator("#business-name")).to_have_text("Bäckerei Nina")
    # The live preview: 2 points per unit, Silver's x1.25.
    expect(page.locator("#settings-preview")).to_contain_text(
        "A 12.50 purchase earns 30 points at Silver."
    )
    page.get_by_label("Purchase amount").fill("40")
    expect(page.locator("#settings-preview")).to_contain_text(
        "A 40.00 purchase earns 120 points at Gold."
    )
    page.get_by_label("Tier 2 multiplier in percent").fill("200")
    expect(page.locator("#settings-preview")).to_contain_text(
        "A 40.00 purchase earns 160 points at Silver."
    )
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()
    assert serious_violations(page, axe_script) == []

    open_page(page, "/merchant/rewards")
    page.get_by_label("Name").fill("Croissant")
    page.get_by_label("Cost in points").fill("30")
    page.get_by_role("button", name="Add reward").click()
    expect(page.locator(".reward-row").filter(has_text="Croissant")).to_be_visible()
    assert serious_violations(page, axe_script) == []

    for section in ("programs", "staff", "ledger", "figures", "scan"):
        open_page(page, f"/merchant/{section}")
        expect(page.get_by_role("heading", level=1)).to_have_text(section.capitalize())
        assert serious_violations(page, axe_script) == [], section

    type_code(page, world.token(customer)["short_code"])
    expect(page.locator("#customer-name")).to_have_text("Carl Customer")
    assert serious_violations(page, axe_script) == []


def test_figures_show_points_visits_and_customers(
    shop: Business, customer: Person, page: Page, world: World
) -> None:
    award_and_redeem_through_api(world, shop, customer)
    merchant_signs_in(page, shop.owner.email)
    open_page(page, "/merchant/figures")
    expect(page.locator("#fig-issued")).to_have_text("12")
    expect(page.locator("#fig-redeemed")).to_have_text("10")
    expect(page.locator("#fig-visits")).to_have_text("1")
    expect(page.locator("#fig-customers")).to_have_text("1")
    expect(page.locator("#fig-returning")).to_have_text("0")
    expect(page.locator("figure .recharts-bar-rectangle").first).to_be_attached()

    page.get_by_role("radio", name="Last 30 days").click()
    expect(page.locator("figure .recharts-xAxis .recharts-cartesian-axis-tick")).not_to_have_count(
        0
    )
    expect(page.locator("#fig-issued")).to_have_text("12")


def test_owner_edits_and_retires_a_reward_and_removes_staff(
    shop: Business, world: World, page: Page
) -> None:
    staff = world.staff(shop)
    merchant_signs_in(page, shop.owner.email)

    open_page(page, "/merchant/rewards")
    page.get_by_role("button", name="Edit Free coffee").click()
    page.get_by_label("Cost in points").fill("8")
    page.get_by_role("button", name="Save reward").click()
    expect(page.locator(".reward-row").filter(has_text="Free coffee")).to_contain_text("8 points")
    page.get_by_role("button", name="Retire Free coffee").click()
    expect(page.get_by_role("heading", name="Retired")).to_be_visible()
    expect(page.get_by_role("button", name="Offer Free coffee again")).to_be_visible()
    expect(page.locator(".reward-row")).to_have_count(0)

    open_page(page, "/merchant/staff")
    member = page.locator(".staff-row").filter(has_text=staff.email)
    member.get_by_role("button", name=f"Remove {staff.email}").click()
    expect(member).to_have_count(0)
    assert world.call("GET", f"{shop.path}/transactions", staff).status == 403


def test_switch_between_businesses(shop: Business, world: World, page: Page) -> None:
    second = world.business(shop.owner, "Bakery Two")
    merchant_signs_in(page, shop.owner.email)
    open_page(page, "/merchant")
    page.get_by_role("button", name="Open Bakery Two").click()
    page.wait_for_url("**/merchant/scan")
    expect(page.locator("#business-name")).to_have_text("Bakery Two")
    # The choice survives a reload.
    open_page(page, "/merchant/settings")
    expect(page.locator("#business-name")).to_have_text("Bakery Two")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Bakery Two")
    assert second.merchant_id != shop.merchant_id

"""Accounts in a real browser: two-step sign-in, the owners' prompt, sign-up that tells
nothing, and one noisy caller refused while another is served (issue 12, attacks 2 and 6)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from epoint_ui import limits
from tests.e2e.conftest import PHONE, open_page, serious_violations, sign_in_through_ui
from tests.support.local_cloud import PASSWORD, authenticator_code, new_email
from tests.support.world import World

SIX_DIGITS = re.compile(r"^\d{6}$")
WRONG_CODE = "That code isn't right. Enter the 6-digit code your authenticator app shows now."


def turn_on_two_step(page: Page, local_cloud: dict[str, Any], axe_script: Path) -> str:
    """On Profile: password, then the app's first code from the key the page shows; the key."""
    open_page(page, "/profile")
    status = page.get_by_test_id("two-step-status")
    expect(status).to_contain_text("Off:")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_label("Your password").fill("Not-her-passw0rd")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_have_text("That password isn't right.")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(
        page.get_by_role("img", name="QR code to add ePoint to your authenticator app.")
    ).to_be_visible()
    assert serious_violations(page, axe_script) == []
    secret = page.get_by_test_id("two-step-secret").inner_text().replace(" ", "")
    assert len(secret) == 32
    page.get_by_label("Code from the app").fill(authenticator_code(local_cloud, secret))
    page.get_by_role("button", name="Turn on").click()
    expect(status).to_contain_text("On:")
    expect(page.get_by_test_id("two-step-secret")).to_have_count(0)  # the key left the page
    return secret


def test_two_step_sign_in_set_up_on_profile_then_asked_for_at_sign_in(
    page: Page, world: World, local_cloud: dict[str, Any], axe_script: Path
) -> None:
    rosa = world.person("Rosa")
    sign_in_through_ui(page, rosa.email)
    secret = turn_on_two_step(page, local_cloud, axe_script)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/")

    # Her password alone no longer signs her in: the page asks for the app's code.
    open_page(page, "/sign-in")
    page.get_by_label("Email").fill(rosa.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    code = page.get_by_label("Code from your authenticator app")
    expect(code).to_be_visible()
    assert serious_violations(page, axe_script) == []
    next_code = authenticator_code(local_cloud, secret, ahead=1)
    code.fill("000000" if next_code != "000000" else "111111")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_have_text(WRONG_CODE)
    open_page(page, "/wallet")  # still signed out
    page.wait_for_url("**/sign-in?next=/wallet")

    page.get_by_label("Email").fill(rosa.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code from your authenticator app").fill(
        authenticator_code(local_cloud, secret, ahead=1)
    )
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/wallet")


def test_owners_are_asked_to_turn_it_on_and_can_say_not_now(page: Page, world: World) -> None:
    owner = world.owner()
    world.business(owner)
    sign_in_through_ui(page, owner.email)
    open_page(page, "/merchant")
    prompt = page.locator("#two-step-prompt")
    expect(prompt).to_contain_text("turn on two-step sign-in")
    prompt.get_by_role("button", name="Not now").click()
    expect(prompt).to_have_count(0)
    page.reload(wait_until="load")
    expect(page.get_by_role("heading", name="Your businesses")).to_be_visible()
    expect(prompt).to_have_count(0)


def test_signing_up_with_a_taken_email_looks_exactly_like_a_new_sign_up(
    page: Page, world: World
) -> None:
    taken = world.person("Taken").email

    def sign_up(email: str) -> str:
        open_page(page, "/sign-up")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Your name").fill("Mallory")
        page.get_by_label("Password").fill("An0ther-Pass")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url("**/verify")
        expect(page.get_by_text("We sent a 6-digit code to")).to_contain_text(email)
        text = page.locator("main").inner_text().replace(email, "<email>")
        return re.sub(r"in \d+ s", "in N s", text)  # the resend cool-down ticks

    assert sign_up(taken) == sign_up(new_email("fresh"))


def test_one_caller_hammering_sign_in_is_refused_while_another_is_served(
    browser: Browser, app_url: str, world: World
) -> None:
    noisy = browser.new_context(
        viewport=PHONE, base_url=app_url, extra_http_headers={"X-Forwarded-For": "203.0.113.66"}
    )
    page = noisy.new_page()
    page.set_default_timeout(15_000)
    open_page(page, "/sign-in")
    alert = page.get_by_role("alert")
    # A password spray: one guess per account. The tab's events are handled in order, so
    # the last answer on screen is the last attempt's.
    for n in range(limits.ATTEMPTS["sign_in"]["client"].attempts):
        page.get_by_label("Email").fill(f"victim{n}@example.com")
        page.get_by_label("Password").fill("Guess-1234")
        page.get_by_role("button", name="Sign in").click()
    expect(alert).to_have_text("Wrong email or password.", timeout=60_000)
    page.get_by_label("Email").fill("victim-next@example.com")
    page.get_by_role("button", name="Sign in").click()
    expect(alert).to_have_text("Too many attempts. Try again in 15 minutes.", timeout=60_000)

    # Someone else, at the same moment: served as usual.
    other = browser.new_context(viewport=PHONE, base_url=app_url)
    try:
        sign_in_through_ui(other.new_page(), world.person("Nina").email)
    finally:
        other.close()
        noisy.close()


def test_my_code_open_in_too_many_tabs_stops_the_extra_one(page: Page, world: World) -> None:
    carl = world.customer()
    sign_in_through_ui(page, carl.email)
    tabs = [page, *(page.context.new_page() for _ in range(limits.LOOPS_PER_PERSON))]
    for tab in tabs[: limits.LOOPS_PER_PERSON]:
        open_page(tab, "/code")
        # 15 s: the first code of a fresh local cloud waits for the API's cold start.
        expect(tab.get_by_test_id("short-code")).to_have_text(SIX_DIGITS, timeout=15_000)
    extra = tabs[-1]
    open_page(extra, "/code")
    expect(extra.get_by_role("alert")).to_contain_text(
        f"already showing in {limits.LOOPS_PER_PERSON} other tabs or devices"
    )
    # One of the others moves on: its loop ends once the page has been gone a moment
    # (on_screen.HIDDEN_GRACE_S, so React's remounts keep it) and frees its place; the extra
    # tab's "Show a new code" then shows one (tapped again while the place is still held).
    tabs[0].get_by_role("link", name="Wallet", exact=True).click()
    tabs[0].wait_for_url("**/wallet")
    deadline = time.monotonic() + 20
    while True:
        extra.get_by_role("button", name="Show a new code").click()
        try:
            expect(extra.get_by_test_id("short-code")).to_have_text(SIX_DIGITS, timeout=3_000)
            break
        except AssertionError:
            assert time.monotonic() < deadline, "the place the other tab left never freed"

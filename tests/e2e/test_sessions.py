"""Signing in and out, and what happens to a session over time, in a real browser."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Cookie, Page, expect

from epoint_ui.session_cookie import COOKIE_NAME
from tests.e2e.app_under_test import websocket_status
from tests.e2e.conftest import (
    PHONE,
    REFRESH_MARGIN_S,
    RunningApp,
    open_page,
    serious_violations,
    sign_in_through_ui,
)
from tests.support.local_cloud import new_email, outbox_code, sign_out_everywhere
from tests.support.world import World

# The app refreshes a token once it is this old (see conftest.REFRESH_MARGIN_S).
TOKEN_AGE_BEFORE_REFRESH_S = 3600 - int(REFRESH_MARGIN_S)
ATTACKER = "https://attacker.example"
# Everything script in the page can read: what injected script would send its author.
LOOT_JS = """() => ({
    cookie: document.cookie,
    local: {...localStorage},
    session: {...sessionStorage},
})"""


def the_session_cookie(page: Page) -> Cookie:
    """The browser's session cookie, which must be HttpOnly, Secure, SameSite=Strict, host-only."""
    (cookie,) = [c for c in page.context.cookies() if c["name"] == COOKIE_NAME]
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
    assert not cookie["domain"].startswith(".")  # host-only: the state server's name alone
    assert cookie["path"] == "/"
    return cookie


def test_wrong_password_says_so_and_keeps_the_visitor_out(
    page: Page, world: World, axe_script: Path
) -> None:
    user = world.person("Wanda")
    open_page(page, "/sign-in")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("Not-the-passw0rd")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    assert serious_violations(page, axe_script) == []
    open_page(page, "/wallet")
    page.wait_for_url("**/sign-in?next=/wallet")
    expect(page.get_by_role("status")).to_have_text("Please sign in to continue.")


def test_signed_out_visitor_goes_to_sign_in_and_back_to_the_page_they_wanted(
    page: Page, world: World
) -> None:
    user = world.person("Bea")
    open_page(page, "/history")
    page.wait_for_url("**/sign-in?next=/history")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/history")
    expect(page.get_by_role("heading", name="Nothing here yet")).to_be_visible()


def test_reload_and_new_tab_stay_signed_in_without_tokens_in_the_browser(
    page: Page, world: World
) -> None:
    user = world.person("Rita")
    sign_in_through_ui(page, user.email)
    # Past the refresh point: the next page load refreshes the tokens server-side.
    time.sleep(TOKEN_AGE_BEFORE_REFRESH_S + 1)
    page.reload(wait_until="load")
    expect(page.get_by_role("heading", name="No points yet")).to_be_visible()
    assert page.url.endswith("/wallet")

    other_tab = page.context.new_page()
    other_tab.goto("/profile", wait_until="load")
    expect(other_tab.get_by_test_id("profile-email")).to_have_text(user.email)

    # The browser holds only an opaque session id: no token in cookies, storage or HTML.
    session_cookie = the_session_cookie(page)
    assert len(session_cookie["value"]) >= 40  # 256 random bits
    stored = page.evaluate(
        "() => JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})"
        " + document.cookie + document.documentElement.outerHTML"
    )
    assert user.access_token.split(".")[0] not in stored  # no JWT header of any token
    assert "eyJ" not in stored


def test_revoked_tokens_send_the_user_to_sign_in_with_a_message(
    page: Page, world: World, local_cloud: dict[str, Any]
) -> None:
    user = world.person("Vic")
    sign_in_through_ui(page, user.email)
    sign_out_everywhere(local_cloud, user.access_token)  # from another device
    time.sleep(TOKEN_AGE_BEFORE_REFRESH_S + 1)
    page.get_by_role("link", name="History", exact=True).click()
    page.wait_for_url("**/sign-in?next=/history")
    expect(page.get_by_role("status")).to_have_text("Your session has ended. Please sign in again.")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/history")


def test_sign_out_ends_the_session_in_every_tab(page: Page, world: World) -> None:
    user = world.person("Sam")
    sign_in_through_ui(page, user.email)
    other_tab = page.context.new_page()
    other_tab.goto("/wallet", wait_until="load")
    expect(other_tab.get_by_role("heading", name="No points yet")).to_be_visible()

    page.get_by_role("link", name="Profile", exact=True).click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: url.rstrip("/").count("/") == 2)  # the landing page
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    expect(page.get_by_role("link", name="Create an account")).to_be_visible()

    # The other tab's session is gone on the server: its next page asks for sign-in, and
    # says why (its connection still names the session that was signed out).
    other_tab.get_by_role("link", name="History", exact=True).click()
    other_tab.wait_for_url("**/sign-in?next=/history")
    expect(other_tab.get_by_role("status")).to_have_text(
        "Your session has ended. Please sign in again."
    )
    # And the browser no longer holds the cookie.
    assert [c for c in page.context.cookies() if c["name"] == COOKIE_NAME] == []


def test_profile_changes_the_display_name(page: Page, world: World) -> None:
    user = world.person("Old Name")
    sign_in_through_ui(page, user.email)
    page.get_by_role("link", name="Profile", exact=True).click()
    expect(page.get_by_test_id("profile-email")).to_have_text(user.email)
    expect(page.get_by_label("Display name")).to_have_value("Old Name")
    page.get_by_label("Display name").fill("New Name")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved. Businesses will greet you as New Name.")
    page.reload(wait_until="load")
    expect(page.get_by_label("Display name")).to_have_value("New Name")


def test_local_outbox_page_shows_the_confirmation_code(
    page: Page, local_cloud: dict[str, Any]
) -> None:
    email = new_email("outbox")
    open_page(page, "/sign-up")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Your name").fill("Olga")
    page.get_by_label("Password").fill("Passw0rd-outbox")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/verify")
    open_page(page, "/dev/outbox")
    message = page.locator(".rt-Card").filter(has_text=email)
    expect(message).to_contain_text(outbox_code(local_cloud, email))


def test_script_in_the_page_can_read_nothing_that_signs_anyone_in(
    page: Page, world: World, browser: Browser, app_url: str
) -> None:
    """Injected script takes everything JavaScript can read to another browser: no session."""
    user = world.person("Xena")
    sign_in_through_ui(page, user.email)
    session_id = the_session_cookie(page)["value"]
    loot = page.evaluate(LOOT_JS)
    assert COOKIE_NAME not in loot["cookie"]
    assert session_id not in json.dumps(loot)
    assert "eyJ" not in json.dumps(loot)  # no token either
    page.close()  # the tab is gone: its Reflex token is free for the thief to use
    time.sleep(1)

    thief = browser.new_context(viewport=PHONE, base_url=app_url)
    thief.add_init_script(
        f"""(() => {{
            const loot = {json.dumps(loot)};
            for (const [k, v] of Object.entries(loot.local)) localStorage.setItem(k, v);
            for (const [k, v] of Object.entries(loot.session)) sessionStorage.setItem(k, v);
            for (const c of loot.cookie.split("; ").filter(Boolean)) document.cookie = c;
        }})()"""
    )
    stolen = thief.new_page()
    stolen.goto("/wallet", wait_until="load")
    stolen.wait_for_url("**/sign-in?next=/wallet")
    thief.close()


def test_the_state_server_opens_its_websocket_only_to_the_web_app(
    running_app: RunningApp,
) -> None:
    """In production (`--env prod`): a foreign or missing Origin is refused at the handshake."""
    server, app = running_app.state_server, running_app.url
    assert websocket_status(server, app).startswith("HTTP/1.1 101")
    assert websocket_status(server, ATTACKER).startswith("HTTP/1.1 403")
    assert websocket_status(server, None).startswith("HTTP/1.1 403")
    assert websocket_status(server, "null").startswith("HTTP/1.1 403")


def test_another_site_cannot_set_or_clear_the_session_cookie(running_app: RunningApp) -> None:
    """Login CSRF and forced sign-out, straight at the state server's cookie routes."""
    for path in ("/session/claim", "/session/end"):
        answer = httpx.post(
            f"{running_app.state_server}{path}",
            json={"claim": "x" * 43},
            headers={"origin": ATTACKER},
        )
        assert answer.status_code == 403, path
        assert answer.json()["error"]["code"] == "origin_refused"
        assert "set-cookie" not in answer.headers

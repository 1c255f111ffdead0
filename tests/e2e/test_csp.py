"""The Content-Security-Policy Amplify sends holds: every page loads with zero violations.

The app under test is the export as scripts/export-frontend leaves it (inline scripts
moved to files), served with exactly the headers template.yaml gives Amplify
(`app_under_test.amplify_headers`): no 'unsafe-inline', no 'unsafe-eval' for scripts.
Every pre-rendered page is opened signed out, and again signed in as the owner of a
business (so the customer's and the merchant's pages render their content, not the
sign-in redirect); a `securitypolicyviolation` event or a console report of a blocked
resource on any of them fails the test, and so does an uncaught error (moving the inline
scripts must not break React's hydration of the pre-rendered pages).
"""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Browser, ConsoleMessage, Error, Page

from deploy.static_site import inline_scripts
from tests.e2e.app_under_test import amplify_headers
from tests.e2e.conftest import PHONE, RunningApp, sign_in_through_ui
from tests.support.world import Business

# Collects the browser's own CSP reports, from before the first script of each page runs.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
        + (e.sample ? ` (${e.sample})` : ""));
});
"""


def routes(site: Path) -> list[str]:
    """Every page of the export (`x.html` and `x/index.html` are one page), and a missing one."""
    pages = {
        "/" + str(html.relative_to(site).with_suffix("")).removesuffix("index").rstrip("/")
        for html in site.rglob("*.html")
        if html.name not in ("404.html", "__spa-fallback.html")
    }
    return [*sorted(pages), "/no-such-page"]


def violations_on_every_page(page: Page, paths: list[str]) -> dict[str, list[str]]:
    """For each path: the CSP violations reported while it loaded and rendered, and any
    uncaught error (a page whose pre-rendered HTML React cannot hydrate throws one)."""
    console: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            console.append(message.text)

    def crashed(error: Error) -> None:
        console.append(f"uncaught: {error}")

    page.on("console", note)
    page.on("pageerror", crashed)
    found = {}
    for path in paths:
        console.clear()
        page.goto(path, wait_until="load")
        page.wait_for_timeout(1500)  # the socket connects, the state arrives, the page renders
        found[path] = page.evaluate("window.__cspViolations") + console
    page.remove_listener("console", note)
    page.remove_listener("pageerror", crashed)
    return found


def test_the_export_holds_no_inline_script(running_app: RunningApp) -> None:
    assert inline_scripts(running_app.site_dir) == []


def test_every_page_is_served_with_exactly_amplifys_headers(running_app: RunningApp) -> None:
    expected = amplify_headers(running_app.state_server)
    policy = dict(
        directive.strip().partition(" ")[::2]
        for directive in expected["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self' 'wasm-unsafe-eval'"  # no inline script, no eval
    for path in ("/", "/sign-in", "/merchant/scan", "/no-such-page"):
        served = httpx.get(f"{running_app.url}{path}").headers
        assert {name: served.get(name) for name in expected} == expected, path


def test_every_page_loads_with_zero_csp_violations_and_no_error_signed_out_and_in(
    browser: Browser, running_app: RunningApp, shop: Business
) -> None:
    paths = routes(running_app.site_dir)
    assert {"/", "/sign-in", "/wallet", "/code", "/merchant/scan", "/profile"} <= set(paths)
    context = browser.new_context(viewport=PHONE, base_url=running_app.url)
    context.set_default_timeout(15_000)
    context.add_init_script(COLLECT_VIOLATIONS)
    page = context.new_page()
    try:
        signed_out = violations_on_every_page(page, paths)
        sign_in_through_ui(page, shop.owner.email)
        signed_in = violations_on_every_page(page, paths)
    finally:
        context.close()
    assert {p: v for p, v in signed_out.items() if v} == {}
    assert {p: v for p, v in signed_in.items() if v} == {}

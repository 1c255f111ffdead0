"""On the home screen: Chromium finds the app installable, and offline navigation shows the
app's own offline screen (the service worker), not the browser's error page."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, READER, open_page, serious_violations


def _service_worker_ready(page: Page) -> str:
    """Waits until the page's service worker is active; returns its script URL."""
    return page.evaluate("async () => (await navigator.serviceWorker.ready).active.scriptURL", [])


def test_chromium_reports_the_app_installable(
    browser: Browser, app_url: str, tmp_path: Path
) -> None:
    # A browser profile on disk: Chromium never offers installing from an incognito-like
    # context (Playwright's usual fresh context), so that check needs a real profile.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport=PHONE,
        base_url=app_url,
        **READER,
    )
    try:
        page = context.new_page()
        open_page(page, "/")
        assert _service_worker_ready(page) == f"{app_url}/sw.js"
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == [], manifest["errors"]
        assert manifest["url"] == f"{app_url}/manifest.json"
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    finally:
        context.close()


def test_offline_navigation_shows_the_offline_screen(
    page: Page, app_url: str, axe_script: Path
) -> None:
    open_page(page, "/")
    _service_worker_ready(page)
    page.context.set_offline(True)
    try:
        page.goto("/wallet", wait_until="load")
        expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
        expect(page.get_by_role("link", name="Try again")).to_have_attribute("href", "/wallet")
        expect(page.locator("img")).to_have_count(1)
        assert page.evaluate("document.images[0].naturalWidth") == 192  # from the cache
        assert serious_violations(page, axe_script) == []
    finally:
        page.context.set_offline(False)
    # Back online, the same address is the app again.
    page.goto("/sign-in", wait_until="load")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()

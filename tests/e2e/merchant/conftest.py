"""The merchant side's fixtures: signing in at the till, a fake camera, a second phone.

Built on tests/e2e/conftest.py (local cloud, app, Chromium, the world, `shop`, `customer`, axe-core).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    READER,
    open_page,
    sign_in_through_ui,
)
from tests.support.world import World

TABLET = {"width": 820, "height": 1180}


def merchant_signs_in(page: Page, email: str) -> None:
    """Signs in through the UI and opens the scan page of the user's (only) business."""
    sign_in_through_ui(page, email)
    open_page(page, "/merchant/scan")


def type_code(
    page: Page, short_code: str, world: World | None = None, phone: Page | None = None
) -> None:
    """The till types a customer's 6-digit code on the scan page and looks the customer up
    (how the UI opens a visit without the camera). The customer then allows it, as the
    till waits for them to: through the API with `world` (which issued the code), or by
    tapping Allow on My code on their `phone` (a browser showing the code)."""
    page.get_by_label("Or type the 6-digit code under the QR code").fill(short_code)
    page.get_by_role("button", name="Find customer").click()
    if world is None and phone is None:
        return
    expect(page.locator("#waiting-for-customer")).to_be_visible()
    if world is not None:
        world.answer_code(short_code).expect(200)
    else:
        assert phone is not None
        phone.get_by_role("button", name="Allow").click()


@pytest.fixture
def camera_file(tmp_path: Path) -> Path:
    """Where the fake camera's video will be; Chromium opens it only when the camera starts."""
    return tmp_path / "camera.y4m"


@pytest.fixture
def camera_context(browser: Browser, app_url: str, camera_file: Path) -> Iterator[BrowserContext]:
    """A tablet browser whose camera plays `camera_file` (write it before the scan page opens)."""
    fake_camera = [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={camera_file}",
    ]
    till = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *fake_camera]
    )
    context = till.new_context(viewport=TABLET, base_url=app_url, **READER)
    context.set_default_timeout(15_000)
    yield context
    context.close()
    till.close()


@pytest.fixture
def second_page(browser: Browser, app_url: str) -> Iterator[Page]:
    """Another person's phone: a separate browser context with its own cookies."""
    context = browser.new_context(viewport=PHONE, base_url=app_url, device_scale_factor=2, **READER)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()

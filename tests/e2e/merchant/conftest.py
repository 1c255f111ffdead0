"""The merchant side's fixtures: a shop with an owner and a reward, customers, a fake camera.

Built on tests/e2e/conftest.py (local cloud, app, Chromium, accounts, axe-core).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    Account,
    Accounts,
    api,
    open_page,
    sign_in_through_ui,
)

TABLET = {"width": 820, "height": 1180}


@dataclass
class Shop:
    """A business registered through the API, its owner and its one reward."""

    merchant_id: str
    name: str
    owner: Account
    reward_id: str
    reward_name: str
    reward_cost: int


def register_shop(cloud: dict[str, Any], owner: Account, name: str) -> Shop:
    """Registers a business (1 point per unit, default tiers) with a 10-point reward."""
    with api(cloud, owner) as client:
        business = client.post("/merchants", json={"name": name, "category": "cafe"})
        business.raise_for_status()
        merchant_id = business.json()["merchant_id"]
        reward = client.post(
            f"/merchants/{merchant_id}/rewards", json={"name": "Free coffee", "cost_points": 10}
        )
        reward.raise_for_status()
    return Shop(merchant_id, name, owner, reward.json()["reward_id"], "Free coffee", 10)


@pytest.fixture
def shop(accounts: Accounts, local_cloud: dict[str, Any]) -> Shop:
    """A fresh business per test, so tests never see each other's ledger."""
    owner = accounts.create("Olga Owner", accounts.new_email("owner"))
    return register_shop(local_cloud, owner, "Café Rosa")


@pytest.fixture
def customer(accounts: Accounts) -> Account:
    """A fresh customer."""
    return accounts.create("Carl Customer", accounts.new_email("carl"))


def issue_code(cloud: dict[str, Any], customer: Account) -> dict[str, Any]:
    """A real one-time code for `customer` (POST /qr-tokens): token, short_code, expires_at."""
    with api(cloud, customer) as client:
        answer = client.post("/qr-tokens")
        answer.raise_for_status()
        return answer.json()


def merchant_signs_in(page: Page, email: str) -> None:
    """Signs in through the UI and opens the scan page of the user's (only) business."""
    sign_in_through_ui(page, email)
    open_page(page, "/merchant/scan")


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
    context = till.new_context(viewport=TABLET, base_url=app_url)
    context.set_default_timeout(15_000)
    yield context
    context.close()
    till.close()


@pytest.fixture
def second_page(browser: Browser, app_url: str) -> Iterator[Page]:
    """Another person's phone: a separate browser context with its own cookies."""
    context = browser.new_context(viewport=PHONE, base_url=app_url, device_scale_factor=2)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()

"""Browser tests: the real app in Debian's Chromium, against a local cloud in a subprocess.

How the app runs here is how it runs in AWS: `reflex export --frontend-only` (what
Amplify hosts) served as static files, plus `reflex run --backend-only --env prod`
(the state server), pointed at a local cloud started with
`python -m localcloud --port 0 --no-persist`. The export is built once per test
session into a temporary web directory (so it never races a developer's `.web/`), and
every test reuses it with a fresh browser context. See `app_under_test.py`.

The key journeys (`@both_ways`) also run against the app as `scripts/dev` starts it
(`dev_app`: `reflex run` in dev mode, React's Strict Mode, the local cloud embedded), the
way a developer runs it; `local_cloud`, `app_url` and `world` follow `app_mode`.
"""

from __future__ import annotations

import itertools
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.e2e import app_under_test
from tests.support.local_cloud import PASSWORD
from tests.support.world import Business, OverHttp, Person, Visit, World

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# Flags measured to work as root and offline (see /work/shared/notes/toolchain-offline.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
PHONE = {"width": 390, "height": 844}
# How the tests' browser reads money and dates, stated (not the machine's): US English, UTC.
READER = {"locale": "en-US", "timezone_id": "UTC"}
# Refresh the access token once it is 5 s old (normally 5 min before its 60-min expiry),
# so the tests exercise refresh and revocation without waiting an hour.
REFRESH_MARGIN_S = "3595"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e is an e2e test."""
    for item in items:
        if "/tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def exported_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A fresh local cloud for the exported app; its client env is put in os.environ."""
    with (
        app_under_test.local_cloud(tmp_path_factory.mktemp("local-cloud")) as info,
        pytest.MonkeyPatch.context() as env,
    ):
        for name, value in info["env"].items():
            env.setenv(name, value)
        yield info


@pytest.fixture(scope="session")
def api_link(exported_cloud: dict[str, Any]) -> Iterator[app_under_test.LossyLink]:
    """The network between the state server and the API: passes everything unless told."""
    with app_under_test.LossyLink(exported_cloud["api_url"]) as link:
        yield link


@dataclass(frozen=True)
class RunningApp:
    """The app as a browser finds it."""

    url: str  # the web app: the static export, with the headers template.yaml gives Amplify
    state_server: str  # the state server: the websocket and the session cookie's routes
    site_dir: Path  # the export's files (one pre-rendered .html per page)

    @property
    def web_dir(self) -> Path:
        """The web directory the export was built in (its node_modules included)."""
        return self.site_dir.parents[1]


@pytest.fixture(scope="session")
def running_app(
    exported_cloud: dict[str, Any],
    api_link: app_under_test.LossyLink,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningApp]:
    """The app as in AWS (static export + state server) on the local cloud."""
    work = tmp_path_factory.mktemp("app")
    backend_port, site_port = app_under_test.free_ports(2)
    env = app_under_test.app_env(
        exported_cloud,
        work,
        backend_port,
        site_port,
        EPOINT_TOKEN_REFRESH_MARGIN_S=REFRESH_MARGIN_S,
        EPOINT_API_URL=api_link.url,  # the state server reaches the API through the link
    )
    site_dir = app_under_test.export_app(env)
    with app_under_test.state_server(env, backend_port, work / "state-server.log") as backend:
        headers = app_under_test.amplify_headers(backend)
        with app_under_test.StaticSite(site_dir, port=site_port, headers=headers) as site:
            yield RunningApp(site.url, backend, site_dir)


# Routes the dev-mode journeys open: Vite compiles a route's modules on its first request,
# so the fixture opens each once before the tests time anything.
DEV_WARM_ROUTES = (
    "/",
    "/sign-up",
    "/verify",
    "/sign-in",
    "/wallet",
    "/code",
    "/history",
    "/profile",
    "/merchant",
    "/merchant/scan",
)


@pytest.fixture(scope="session")
def dev_app(
    tmp_path_factory: pytest.TempPathFactory, browser: Browser
) -> Iterator[app_under_test.DevApp]:
    """The app exactly as `scripts/dev` starts it: `reflex run` in dev mode (React's Strict
    Mode, Vite), the local cloud inside the state server; free ports, its own web dir."""
    with app_under_test.dev_app(tmp_path_factory.mktemp("dev")) as app:
        context = browser.new_context(viewport=PHONE, base_url=app.url)
        warm = context.new_page()
        for route in DEV_WARM_ROUTES:
            warm.goto(route, wait_until="load", timeout=120_000)
        context.close()
        yield app


@pytest.fixture(scope="session")
def app_mode(request: pytest.FixtureRequest) -> str:
    """Which app the test runs against: "export" (as in AWS; the default) or "dev"
    (as `scripts/dev` runs it). `@both_ways` runs a test against each."""
    return str(getattr(request, "param", "export"))


both_ways = pytest.mark.parametrize("app_mode", ["export", "dev"], indirect=True)


@pytest.fixture(scope="session")
def local_cloud(app_mode: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    """The local cloud behind the app under test (its JSON line: api_url, outbox_url, ...)."""
    if app_mode == "dev":
        return request.getfixturevalue("dev_app").cloud
    return request.getfixturevalue("exported_cloud")


@pytest.fixture(scope="session")
def app_url(app_mode: str, request: pytest.FixtureRequest) -> str:
    """The URL of the app under test."""
    if app_mode == "dev":
        return request.getfixturevalue("dev_app").url
    return request.getfixturevalue("running_app").url


def caller_addresses() -> Iterator[str]:
    """Addresses for test browsers, from the range set aside for benchmarking (198.18.0.0/15)."""
    for n in itertools.count():
        yield f"198.18.{n // 250 % 256}.{n % 250 + 1}"


@pytest.fixture(scope="session", autouse=True)
def each_browser_is_another_caller() -> Iterator[None]:
    """Every browser context a test opens reaches the state server as a caller of its own,
    as behind the load balancer (`REFLEX_TRUSTED_PROXY_HOPS=1`), so the per-client limits
    (epoint_ui/limits.py) count each test's browser apart and not the whole suite as one.
    A test that wants one caller for several browsers passes `X-Forwarded-For` itself."""
    plain = Browser.new_context
    addresses = caller_addresses()

    def new_context(self: Browser, **kwargs: Any) -> BrowserContext:
        headers = {"X-Forwarded-For": next(addresses), **(kwargs.pop("extra_http_headers", {}))}
        return plain(self, extra_http_headers=headers, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Browser, "new_context", new_context)
        yield


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless (never `playwright install`)."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    """A fresh browser (no cookies) sized like a phone, opened on the app."""
    context = browser.new_context(viewport=PHONE, base_url=app_url, **READER)
    context.set_default_timeout(15_000)
    p = context.new_page()
    yield p
    context.close()


@pytest.fixture
def till(browser: Browser, app_url: str) -> Iterator[Page]:
    """A second browser (the merchant's tablet), beside the customer's phone in `page`."""
    context = browser.new_context(viewport=PHONE, base_url=app_url, **READER)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def open_page(page: Page, path: str) -> None:
    """Navigates and waits for `load` (not networkidle: the Reflex socket stays busy)."""
    page.goto(path, wait_until="load")


# --- accessibility -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core from the npm registry, installed once into the git-ignored .tools/."""
    if not AXE_JS.is_file():
        subprocess.run(
            [
                "npm",
                "install",
                "--silent",
                "--no-fund",
                "--no-audit",
                "--save-exact",
                "--prefix",
                str(ROOT / ".tools"),
                f"axe-core@{AXE_VERSION}",
            ],
            check=True,
            timeout=300,
        )
    return AXE_JS


def serious_violations(page: Page, axe_script: Path) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated by the test driver, not added as a <script>: the page's CSP allows no
        # inline script, and a violation here would be the test's own.
        page.evaluate(axe_script.read_text(encoding="utf-8"))
    # Colours read mid-animation are blends (a dialog fading in fails contrast): wait until
    # every finite animation and transition has finished, as a reader's eye would.
    page.wait_for_function(
        """() => document.getAnimations().every(a => a.playState !== 'running'
            || a.effect?.getComputedTiming().iterations === Infinity)""",
        timeout=5_000,
    )
    results = page.evaluate("async () => await window.axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(f"{n['target']}: {n.get('failureSummary', '')}" for n in v["nodes"][:3])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


# --- people and businesses ------------------------------------------------------------------


@pytest.fixture(scope="session")
def world(local_cloud: dict[str, Any]) -> Iterator[World]:
    """The world builder over the local cloud's gateway: confirmed users in milliseconds
    (sign-up, the code from the outbox, SRP sign-in), businesses, visits, points."""
    with World(OverHttp(local_cloud)) as built:
        yield built


@pytest.fixture
def shop(world: World) -> Business:
    """A fresh business per test (so tests never see each other's ledger): Café Rosa, 1 point
    per unit, default tiers, a 10-point Free coffee; Olga Owner serves at its till."""
    business = world.business(world.owner())
    world.reward(business, "Free coffee", 10)
    return business


@pytest.fixture
def customer(world: World) -> Person:
    """A fresh customer, Carl Customer."""
    return world.customer()


def sign_in_through_ui(page: Page, email: str, password: str = PASSWORD) -> None:
    """Signs in with the sign-in form and waits for the wallet."""
    open_page(page, "/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/wallet")


# --- time travel -----------------------------------------------------------------------------


@pytest.fixture
def time_travel(local_cloud: dict[str, Any]) -> Iterator[Callable[[float], None]]:
    """Moves the local cloud's clock forward (`POST /dev/clock`); back to real time after.

    Only the backend (codes, visits, Cognito's emailed codes) travels: tokens and the state
    server keep real time, so the browser stays signed in.
    """

    def advance(seconds: float) -> None:
        moved = httpx.post(f"{local_cloud['api_url']}/dev/clock", json={"advance_s": seconds})
        moved.raise_for_status()

    yield advance
    httpx.post(f"{local_cloud['api_url']}/dev/clock", json={"reset": True}).raise_for_status()


def visit_allowed_on_phone(world: World, shop: Business, code: str, phone: Page) -> Visit:
    """A till integration types the 6 digits the `phone` shows, straight through the API;
    the customer taps Allow on My code; the till's look at its request finds the visit."""
    asked = world.open_visit(shop, code, answer=None)
    assert asked.status == 202, f"a typed code asks its customer first: {asked.text}"
    asking = phone.get_by_role("alertdialog")
    expect(asking).to_contain_text(f"{shop.name} wants to scan your code", timeout=5_000)
    asking.get_by_role("button", name="Allow").click()
    deadline = time.monotonic() + 10
    while True:
        look = world.visit_request(shop, asked.body["request_id"]).expect(200)
        if look["status"] == "approved":
            return Visit(look["visit"]["visit_id"], shop, shop.till, look["visit"])
        assert time.monotonic() < deadline, f"the customer's Allow never opened it: {look}"
        time.sleep(0.2)

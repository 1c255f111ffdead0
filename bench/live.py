"""Push, not poll: customers hold My code open while tills scan and earn for a share of them.

    python bench/live.py                        # 1,000 customers, 3 minutes, push then the old polling
    python bench/live.py --customers 40 --minutes 1.5    # a CI-sized run
    python bench/live.py --json                 # one JSON object (what tests/proof reads)

What runs for real:
- a local cloud (`python -m localcloud --port 0 --no-persist`): the gateway with the
  template's throttle (100 requests/s per route, burst 200), the table's stream, the hints
  function run by the local stream event source, the hint channel at `/dev/hints`;
- `--state-servers` simulated state servers in this process (threads with an event loop
  each, default 2), each holding its share of the customers' real `MyCodeState` (the loop
  of epoint_ui/states/my_code.py, the listener of epoint_ui/hints.py on `/dev/hints`, the
  real `ApiClient` over HTTP);
- tills calling the API directly (a till integration: no state server on their side): at a
  random moment they open a visit on the code the customer's screen shows (its 6 digits)
  and book an earn.

What is simulated: the browser and Reflex's websocket and event dispatch
(`tests/support/tabs.py` calls the state's event handlers as Reflex would; state changes go
nowhere), and the customers' sign-in (access tokens minted with the key moto signs the pool's
tokens with, since 1,000 SRP sign-ins take about 8 minutes here; the gateway verifies them
like any other). The old polling is the loop My code ran before the hints (a status read
every second), transcribed on the same ApiClient and state.

Prints the two runs side by side: `api_requests_per_code_minute` (the screens' API calls over
the minutes their code was open), `confirmation_p50_ms`/`_p95_ms` (from the earn's answer at
the till to "+N points" on the customer's screen), `scan_p50_ms`/`_p95_ms` (from the visit's
answer to "Scanned at ..."), `throttled` (429s seen by screens and tills),
`missed_confirmations` (earns whose points never showed before the end).
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import jwt  # noqa: E402
from moto.utilities.utils import load_resource  # noqa: E402

from tests.e2e.app_under_test import local_cloud  # noqa: E402
from tests.support.world import OverHttp, World  # noqa: E402

OPEN_WITHIN_S = 60.0  # the screens open over the first minute (a third of a shorter run)
GRACE_AT_END_S = 5.0  # an earn counts as missed if not shown this long after the run ends


# ---------------------------------------------------------------- who takes part


@dataclass
class Customer:
    user_id: str
    session_id: str
    opened_at: float = 0.0
    closed_at: float = 0.0
    state: Any = None  # the customer's MyCodeState (in a state server's loop)
    # what the till did, and when the screen showed it
    visit_answered: float = 0.0
    scan_shown: float = 0.0
    earn_answered: float = 0.0
    expected: str = ""  # ": +N points", as the screen says it
    earn_shown: float = 0.0


@dataclass
class Counts:
    """The screens' API calls (method, path template, status)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    throttled: int = 0
    failed: int = 0  # timeouts, network errors, 5xx: the local cloud could not keep up
    by_route: dict[str, int] = field(default_factory=dict)

    def add(self, method: str, path: str, status: int) -> None:
        route = f"{method} /qr-tokens" + ("/{id}" if path.count("/") > 1 else "")
        with self.lock:
            self.requests += 1
            self.throttled += status == 429
            self.failed += status == 0 or status >= 500
            self.by_route[route] = self.by_route.get(route, 0) + 1


def minted_customers(info: dict[str, Any], count: int) -> list[tuple[str, dict[str, Any]]]:
    """(user id, session record) per customer: access tokens the local pool would issue."""
    key = jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json"))
    issuer = f"https://cognito-idp.{info['region']}.amazonaws.com/{info['user_pool_id']}"
    now = int(time.time())
    out = []
    for _ in range(count):
        sub = str(uuid.uuid4())
        claims = {
            "iss": issuer,
            "sub": sub,
            "client_id": info["client_id"],
            "token_use": "access",
            "scope": "aws.cognito.signin.user.admin",
            "iat": now,
            "auth_time": now,
            "exp": now + 3600,
            "jti": str(uuid.uuid4()),
            "username": sub,
        }
        token = jwt.encode(claims, key.key, algorithm="RS256", headers={"kid": "dummy"})
        record = {
            "id_token": "",
            "access_token": token,
            "refresh_token": "",
            "expires_at": now + 3600,
            "user_id": sub,
            "email": f"{sub[:8]}@example.com",
        }
        out.append((sub, record))
    return out


# ---------------------------------------------------------------- the screens


def old_polling_loop(state: Any, until: float) -> Any:
    """My code before the hints: a status read every second (epoint_ui/states/my_code.py at
    9595d47), on the same state and ApiClient."""
    from epoint_ui.api import ApiError
    from epoint_ui.states.my_code import REFRESH_BEFORE_S
    from epoint_ui.states.session import api
    from epoint_ui.states.views import scan_messages

    async def loop() -> None:
        client = await api(state)
        token_id, expires, scanned = "", 0.0, False
        while time.time() < until:
            try:
                if not scanned and (not token_id or expires - time.time() <= REFRESH_BEFORE_S):
                    answer = await client.post("/qr-tokens")
                    token_id = str(answer["token_id"])
                    expires = time.time() + int(answer.get("expires_in") or 60)
                    state.short_code = str(answer.get("short_code", ""))
                else:
                    answer = await client.get(f"/qr-tokens/{token_id}")
                    if answer.get("status") == "expired" and not scanned:
                        token_id = ""
                    elif answer.get("status") == "scanned":
                        scanned = True
                        state.scanned = True
                        state.scanned_message, state.balance_message = scan_messages(answer)
            except ApiError as err:
                if err.status in (404, 410) and not scanned:
                    token_id = ""
                await asyncio.sleep(2.0)
                continue
            await asyncio.sleep(1.0)

    return loop()


async def state_server(
    customers: list[Customer], mode: str, until: float, started: threading.Event
) -> None:
    """One state server: its customers' My code screens, open until `until`."""
    from epoint_ui import hints
    from epoint_ui.states.my_code import MyCodeState
    from tests.support.tabs import Tab

    tabs: list[Tab] = []
    tasks: list[asyncio.Task[Any]] = []
    hints.board()  # this server's listener (it connects with the first screen)
    started.set()
    watcher = asyncio.create_task(watch_screens(customers, until + GRACE_AT_END_S))
    loop_started = time.time()
    for customer in customers:
        await asyncio.sleep(max(0.0, customer.opened_at - (time.time() - loop_started)))
        tab = Tab(customer.session_id, "/code")
        customer.state = tab.open(MyCodeState)
        customer.opened_at = time.time()
        if mode == "push":
            await tab.fire(MyCodeState.show)
        else:
            tasks.append(asyncio.create_task(old_polling_loop(customer.state, until)))
        tabs.append(tab)
    await asyncio.sleep(max(0.0, until - time.time()))
    for customer, tab in zip(customers, tabs, strict=True):
        customer.closed_at = time.time()
        if mode == "push":
            await tab.fire(MyCodeState.hide)
    await watcher
    for tab in tabs:
        await tab.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def watch_screens(customers: list[Customer], until: float) -> None:
    """Notes when each screen shows the scan and the points (checked every 10 ms)."""
    while time.time() < until:
        for c in customers:
            if not c.visit_answered or c.earn_shown or c.state is None:
                continue  # only the screens a till is working on
            if not c.scan_shown and c.state.scanned:
                c.scan_shown = time.time()
            if c.earn_answered and c.expected in c.state.scanned_message:
                c.earn_shown = time.time()
        await asyncio.sleep(0.01)


# ---------------------------------------------------------------- the tills


def till(
    customer: Customer,
    merchant: Any,
    business: Any,
    api_url: str,
    counts: Counts,
    rng: random.Random,
) -> None:
    """Open a visit on the code the customer's screen shows, then earn (direct API calls)."""
    headers = {"authorization": f"Bearer {merchant.access_token}"}
    with httpx.Client(base_url=api_url, timeout=30, headers=headers) as client:
        for _ in range(5):
            code = customer.state.short_code if customer.state is not None else ""
            visit = client.post(f"/merchants/{business.merchant_id}/visits", json={"token": code})
            if visit.status_code == 201:
                break
            if visit.status_code == 429:
                with counts.lock:
                    counts.throttled += 1
            time.sleep(1.0)  # a code being renewed, a throttled till: try the new one
        else:
            return
        customer.visit_answered = time.time()
        euros = rng.randint(3, 60)
        earn = client.post(
            f"/merchants/{business.merchant_id}/visits/{visit.json()['visit_id']}/earn",
            json={"amount_cents": euros * 100 + rng.randint(0, 99)},
            headers={"idempotency-key": uuid.uuid4().hex},
        )
        if earn.status_code != 201:
            if earn.status_code == 429:
                with counts.lock:
                    counts.throttled += 1
            return
        points = earn.json()["transaction"]["points"]
        customer.expected = f": +{points} point"
        customer.earn_answered = time.time()


# ---------------------------------------------------------------- one run


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(
    mode: str, customers_n: int, minutes: float, share: float, servers: int, seed: int
) -> dict[str, Any]:
    """One run on a fresh local cloud; the figures."""
    rng = random.Random(seed)
    # The local cloud logs to a file: a pipe this busy process drains late would fill and
    # stall the cloud's writers (its handlers log to stdout, as in Lambda).
    with (
        tempfile.TemporaryDirectory(prefix="epoint-live-") as tmp,
        local_cloud(Path(tmp)) as info,
    ):
        return _run(info, mode, customers_n, minutes, share, servers, rng)


def _run(
    info: dict[str, Any],
    mode: str,
    customers_n: int,
    minutes: float,
    share: float,
    servers: int,
    rng: random.Random,
) -> dict[str, Any]:
    os.environ.update(info["env"])  # the state servers' settings: AWS mode, on this cloud
    from epoint_ui import api as api_module
    from epoint_ui import settings
    from epoint_ui.session_store import get_store
    from epoint_ui.states import my_code  # noqa: F401 - registers the states in this context

    settings.get_settings.cache_clear()
    api_module._clients.clear()
    store = get_store()
    counts = Counts()
    send = api_module.ApiClient._send

    async def counted(self: Any, method: str, path: str, **kwargs: Any) -> Any:
        try:
            answer = await send(self, method, path, **kwargs)
        except api_module.ApiError as err:
            counts.add(method, path, err.status or 0)
            raise
        counts.add(method, path, 200)
        return answer

    api_module.ApiClient._send = counted  # type: ignore[method-assign]

    with World(OverHttp(info)) as world:
        tills = [world.business(world.owner(f"Till {i + 1}"), f"Shop {i + 1}") for i in range(10)]
    customers = []
    for user_id, record in minted_customers(info, customers_n):
        session_id = uuid.uuid4().hex
        asyncio.run(store.put(session_id, record, 3600))
        opens = rng.uniform(0, min(OPEN_WITHIN_S, minutes * 60 / 3))
        customers.append(Customer(user_id, session_id, opened_at=opens))
    customers.sort(key=lambda c: c.opened_at)

    duration = minutes * 60
    started = time.time()
    until = started + duration
    ready = [threading.Event() for _ in range(servers)]
    # Each in a copy of this thread's context, where Reflex's registration context is set.
    threads = [
        threading.Thread(
            target=contextvars.copy_context().run,
            args=(asyncio.run, state_server(customers[i::servers], mode, until, ready[i])),
            name=f"state-server-{i + 1}",
        )
        for i in range(servers)
    ]
    for thread in threads:
        thread.start()
    chosen = rng.sample(customers, max(1, int(customers_n * share)))
    # Each at a random moment while its screen is open (and has shown a code a while).
    plan = sorted(
        (started + max(c.opened_at + 5, rng.uniform(0.15, 0.75) * duration), c) for c in chosen
    )
    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = []
        for at, customer in plan:
            time.sleep(max(0.0, at - time.time()))
            owner = tills[rng.randrange(len(tills))]
            futures.append(
                pool.submit(till, customer, owner.owner, owner, info["api_url"], counts, rng)
            )
        for future in futures:
            future.result()
    for thread in threads:
        thread.join()
    api_module.ApiClient._send = send  # type: ignore[method-assign]

    code_minutes = sum(c.closed_at - c.opened_at for c in customers) / 60
    earned = [c for c in customers if c.earn_answered]
    confirmations = [(c.earn_shown - c.earn_answered) * 1000 for c in earned if c.earn_shown]
    scans = [(c.scan_shown - c.visit_answered) * 1000 for c in customers if c.scan_shown]
    hints_status = httpx.get(f"{info['api_url']}/dev/streams").json()
    return {
        "mode": mode,
        "customers": customers_n,
        "minutes": minutes,
        "state_servers": servers,
        "code_minutes": round(code_minutes, 1),
        "api_requests": counts.requests,
        "api_requests_by_route": counts.by_route,
        "api_requests_per_code_minute": round(counts.requests / code_minutes, 2),
        "earns": len(earned),
        "visits_not_opened": len(chosen) - sum(1 for c in chosen if c.visit_answered),
        "confirmation_p50_ms": _ms(percentile(confirmations, 50)),
        "confirmation_p95_ms": _ms(percentile(confirmations, 95)),
        "scan_p50_ms": _ms(percentile(scans, 50)),
        "scan_p95_ms": _ms(percentile(scans, 95)),
        "throttled": counts.throttled,
        "screen_calls_failed": counts.failed,
        "missed_confirmations": len(earned) - len(confirmations),
        "hints_published": hints_status["hints"]["published"],
        "hint_duplicates": hints_status["hints"]["duplicates"],
    }


def _ms(value: float | None) -> int | None:
    return None if value is None else round(value)


# ---------------------------------------------------------------- the report

ROWS = (
    "api_requests_per_code_minute",
    "confirmation_p50_ms",
    "confirmation_p95_ms",
    "scan_p50_ms",
    "scan_p95_ms",
    "throttled",
    "screen_calls_failed",
    "missed_confirmations",
    "earns",
    "visits_not_opened",
    "api_requests",
    "code_minutes",
    "hints_published",
)


def report(runs: list[dict[str, Any]]) -> str:
    head = f"{'figure':<30}" + "".join(
        f"{r['mode'] + ' (hints)' if r['mode'] == 'push' else 'poll (old, 1 s)':>18}" for r in runs
    )
    lines = [head]
    for row in ROWS:
        lines.append(f"{row:<30}" + "".join(f"{r.get(row)!s:>18}" for r in runs))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python bench/live.py", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=3.0, help="how long each screen is open")
    parser.add_argument("--share", type=float, default=0.3, help="share of customers scanned")
    parser.add_argument("--state-servers", type=int, default=2)
    parser.add_argument("--mode", choices=["both", "push", "poll"], default="both")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    modes = ["push", "poll"] if args.mode == "both" else [args.mode]
    runs = [
        measure(m, args.customers, args.minutes, args.share, args.state_servers, args.seed)
        for m in modes
    ]
    if args.json:
        print(json.dumps({r["mode"]: r for r in runs}))
        return 0
    push = runs[0]
    for name in (
        "api_requests_per_code_minute",
        "confirmation_p50_ms",
        "confirmation_p95_ms",
        "throttled",
        "missed_confirmations",
    ):
        old = next((r for r in runs if r["mode"] == "poll"), None)
        tail = f"   (old polling: {old[name]})" if old and push["mode"] == "push" else ""
        print(f"{name}: {push[name]}{tail}")
    print()
    print(report(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())

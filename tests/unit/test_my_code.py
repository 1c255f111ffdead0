"""My code, push not poll: the real state and its loop, with a stand-in API and hint channel.

It reads the code's status once per hint (never every second), renews the code before it
expires, falls back to a slow read when no hint comes (faster while the channel is down),
and its loop lives as long as the page: React Strict Mode's mount -> unmount -> mount in
`reflex run` keeps it, leaving the page or closing the tab ends it.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from epoint_ui import hints
from epoint_ui.states import my_code, on_screen
from epoint_ui.states.my_code import MyCodeState
from epoint_ui.states.session import SessionState
from tests.support.tabs import Tab
from tests.unit.ui_browser import wait

CUSTOMER = "c-1"


class Api:
    """The API as My code sees it: fresh codes, and each code's status as the test sets it."""

    def __init__(self, life_s: int = 60) -> None:
        self.life_s = life_s
        self.user_id = CUSTOMER
        self.calls: list[str] = []
        self.status: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)

    async def post(self, path: str, body: Any = None, **_: Any) -> dict[str, Any]:
        self.calls.append(f"POST {path}")
        n = next(self._ids)
        return {"token_id": f"q_{n}", "token": f"e1.k.c-1.q_{n}.sig", "short_code": f"{n:06d}",
                "expires_in": self.life_s}  # fmt: skip

    async def get(self, path: str, params: Any = None) -> dict[str, Any]:
        self.calls.append(f"GET {path}")
        token_id = path.rsplit("/", 1)[1]
        return self.status.get(token_id, {"token_id": token_id, "status": "pending"})

    def scanned(self, token_id: str, *points: int) -> None:
        """The till opened a visit on this code (and booked `points`)."""
        self.status[token_id] = {
            "token_id": token_id,
            "status": "scanned",
            "merchant": {"merchant_id": "m_1", "name": "Café Rosa"},
            "activity": [{"kind": "earn", "points": p} for p in points],
            "balance": sum(points),
        }

    def reads(self) -> int:
        return sum(call.startswith("GET") for call in self.calls)

    def renewals(self) -> int:
        return sum(call.startswith("POST") for call in self.calls)


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Api:
    stand_in = Api()

    async def client(_session: SessionState) -> Api:
        return stand_in

    monkeypatch.setattr(SessionState, "_client", client)
    monkeypatch.setattr(hints, "configured_source", lambda: None)  # the test delivers hints
    # Short timings, same rules.
    monkeypatch.setattr(my_code, "FALLBACK_S", 30.0)
    monkeypatch.setattr(my_code, "FALLBACK_UNHEARD_S", 30.0)
    monkeypatch.setattr(my_code, "HIDDEN_GRACE_S", 0.2)
    monkeypatch.setattr(on_screen, "HIDDEN_GRACE_S", 0.2)
    monkeypatch.setattr(on_screen, "GONE_GRACE_S", 0.2)
    return stand_in


def on_the_page(scenario: Callable[[Tab, MyCodeState], Awaitable[Any]]) -> Any:
    """Runs `scenario` with My code open in a fresh tab, on a loop of its own."""

    async def run() -> Any:
        tab = Tab("session-1", "/code")
        state = tab.open(MyCodeState)
        hints.board().connected = True  # the channel is up unless a test says otherwise
        try:
            await tab.fire(MyCodeState.show)
            return await scenario(tab, state)
        finally:
            await tab.close()

    return wait(run())


async def settle(seconds: float = 0.1) -> None:
    await asyncio.sleep(seconds)


def test_an_open_code_makes_no_call_until_something_happens(api: Api) -> None:
    async def scenario(tab: Tab, state: MyCodeState) -> None:
        await settle(1.5)  # the old loop read the status every second

    on_the_page(scenario)
    assert api.calls == ["POST /qr-tokens"]


def test_a_hint_reads_the_status_once_and_shows_the_scan_and_the_points(api: Api) -> None:
    async def scenario(tab: Tab, state: MyCodeState) -> tuple[str, str, int]:
        await settle()
        api.scanned("q_1")
        hints.board().deliver(CUSTOMER)
        await settle()
        seen = state.scanned_message
        api.scanned("q_1", 12)
        hints.board().deliver(CUSTOMER)
        await settle()
        return seen, state.scanned_message, api.reads()

    first, then, reads = on_the_page(scenario)
    assert first == "Scanned at Café Rosa"
    assert then == "Scanned at Café Rosa: +12 points"
    assert reads == 2


def test_a_hint_with_nothing_behind_it_shows_nothing(api: Api) -> None:
    """Whoever could send hints (a stale one, a forged one) can cause one read, never a
    confirmation: the screen shows only what the API says, with the customer's own token."""

    async def scenario(tab: Tab, state: MyCodeState) -> tuple[bool, str, int]:
        await settle()
        for _ in range(3):
            hints.board().deliver(CUSTOMER)
        await settle()
        return state.scanned, state.short_code, api.reads()

    assert on_the_page(scenario) == (False, "000001", 1)  # three hints at once: one read


def test_a_hint_for_another_customer_costs_nothing(api: Api) -> None:
    async def scenario(tab: Tab, state: MyCodeState) -> int:
        await settle()
        hints.board().deliver("someone-else")
        await settle()
        return api.reads()

    assert on_the_page(scenario) == 0


def test_the_code_is_renewed_before_it_expires(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    api.life_s = 2
    monkeypatch.setattr(my_code, "REFRESH_BEFORE_S", 1)

    async def scenario(tab: Tab, state: MyCodeState) -> tuple[int, str, int]:
        await settle(1.5)
        return api.renewals(), state.short_code, state.code_serial

    renewals, shown, serial = on_the_page(scenario)
    assert renewals == 2 and shown == "000002" and serial == 2
    assert api.reads() == 0


def test_a_scan_of_the_code_just_replaced_is_shown_too(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.life_s = 2
    monkeypatch.setattr(my_code, "REFRESH_BEFORE_S", 1)

    async def scenario(tab: Tab, state: MyCodeState) -> str:
        await settle(1.2)  # q_2 is on screen, q_1 still valid for a moment
        api.scanned("q_1", 5)
        hints.board().deliver(CUSTOMER)
        await settle()
        return state.scanned_message

    assert on_the_page(scenario) == "Scanned at Café Rosa: +5 points"


def test_a_hint_that_comes_as_the_code_is_renewed_is_read_at_once(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hint lands while the screen is busy, and by then the renewal is due: both happen."""
    api.life_s = 2
    monkeypatch.setattr(my_code, "REFRESH_BEFORE_S", 1)
    get, slow = api.get, [1.2]

    async def slow_get(path: str, params: Any = None) -> dict[str, Any]:
        answer = await get(path, params)
        if slow:  # the first answer is slow to come back: the renewal falls due meanwhile
            await asyncio.sleep(slow.pop())
        return answer

    api.get = slow_get  # type: ignore[method-assign]

    async def scenario(tab: Tab, state: MyCodeState) -> str:
        await settle()
        hints.board().deliver(CUSTOMER)  # a hint about something else: a read starts
        await settle(0.3)
        api.scanned("q_1", 9)  # the till scans the code on screen during that read
        hints.board().deliver(CUSTOMER)
        await settle(2.0)  # the fallback read would come only after 30 s
        return state.scanned_message

    assert on_the_page(scenario) == "Scanned at Café Rosa: +9 points"


def test_a_read_that_fails_is_tried_again(api: Api) -> None:
    from epoint_ui.api import ApiError

    failures = [ApiError("Too many requests at once.", status=429)]
    get = api.get

    async def flaky_get(path: str, params: Any = None) -> dict[str, Any]:
        if failures:
            api.calls.append(f"GET {path}")
            raise failures.pop()
        return await get(path, params)

    api.get = flaky_get  # type: ignore[method-assign]

    async def scenario(tab: Tab, state: MyCodeState) -> tuple[str, int]:
        await settle()
        api.scanned("q_1", 2)
        hints.board().deliver(CUSTOMER)
        await settle(my_code.RETRY_AFTER_ERROR_S + 0.3)
        return state.scanned_message, api.reads()

    assert on_the_page(scenario) == ("Scanned at Café Rosa: +2 points", 2)


def test_a_code_the_api_says_has_expired_is_replaced_at_once(api: Api) -> None:
    """The backend's clock is ahead of the phone's (or the phone slept): a read says so."""

    async def scenario(tab: Tab, state: MyCodeState) -> tuple[str, int]:
        await settle()
        api.status["q_1"] = {"token_id": "q_1", "status": "expired"}
        hints.board().deliver(hints.EVERYONE)  # the local cloud's clock moved
        await settle()
        return state.short_code, api.renewals()

    assert on_the_page(scenario) == ("000002", 2)


def test_with_no_hint_the_status_is_read_on_the_slow_fallback(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(my_code, "FALLBACK_S", 0.4)

    async def scenario(tab: Tab, state: MyCodeState) -> tuple[str, int]:
        await settle(0.1)
        api.scanned("q_1", 7)  # ...and the hint was lost
        await settle(0.6)
        return state.scanned_message, api.reads()

    message, reads = on_the_page(scenario)
    assert message == "Scanned at Café Rosa: +7 points" and reads == 1


def test_while_the_channel_is_down_the_fallback_is_faster(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(my_code, "FALLBACK_UNHEARD_S", 0.2)

    async def scenario(tab: Tab, state: MyCodeState) -> int:
        hints.board().connected = False
        await tab.fire(MyCodeState.hide)  # nudge the loop so it picks the new pace now
        await tab.fire(MyCodeState.show)
        await settle(1.0)
        return api.reads()

    assert 3 <= on_the_page(scenario) <= 6


def test_strict_modes_unmount_and_mount_keep_the_one_loop(api: Api) -> None:
    """`reflex run` (dev) mounts, unmounts and mounts again a few ms after loading."""

    async def scenario(tab: Tab, state: MyCodeState) -> tuple[int, str]:
        await tab.fire(MyCodeState.show)  # on_mount right after on_load
        await tab.fire(MyCodeState.hide)  # Strict Mode's unmount
        await tab.fire(MyCodeState.show)  # ...and its mount
        await settle(0.5)  # longer than the hidden grace
        api.scanned("q_1", 3)
        hints.board().deliver(CUSTOMER)
        await settle()
        return on_screen.running_loops(), state.scanned_message

    loops, message = on_the_page(scenario)
    assert loops == 1
    assert message == "Scanned at Café Rosa: +3 points"
    assert api.renewals() == 1  # one loop, one code


def test_leaving_the_page_ends_the_loop_without_another_call(api: Api) -> None:
    async def scenario(tab: Tab, state: MyCodeState) -> tuple[int, int]:
        await settle()
        await tab.fire(MyCodeState.hide)
        await settle(0.5)
        hints.board().deliver(CUSTOMER)
        await settle()
        return on_screen.running_loops(), len(api.calls)

    assert on_the_page(scenario) == (0, 1)


def test_a_closed_tab_ends_the_loop(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A closed tab sends no unmount: its websocket is gone."""
    monkeypatch.setattr(on_screen, "client_connected", lambda token: False)

    async def scenario(tab: Tab, state: MyCodeState) -> int:
        await settle()
        hints.board().deliver(CUSTOMER)  # wakes the loop, which finds the tab gone...
        await settle(0.3)
        hints.board().deliver(CUSTOMER)  # ...and after the grace period, ends
        await settle()
        return on_screen.running_loops()

    assert on_the_page(scenario) == 0


def test_a_new_code_after_a_scan_starts_afresh(api: Api) -> None:
    async def scenario(tab: Tab, state: MyCodeState) -> tuple[bool, str, int]:
        await settle()
        api.scanned("q_1", 4)
        hints.board().deliver(CUSTOMER)
        await settle()
        await tab.fire(MyCodeState.new_code)
        await settle()
        return state.scanned, state.short_code, on_screen.running_loops()

    assert on_the_page(scenario) == (False, "000002", 1)

"""The one place that knows "wait for a hint for customer X": the state server's side of the hint channel.

A hint says only "customer X: look again" (the ledger's stream -> the hints function ->
the channel); the screen that waits re-reads the truth from the API. Every state-server
process listens on the one channel and wakes its own screens:

- **Redis pub/sub** (`REFLEX_REDIS_URL`, in AWS: the ElastiCache the state servers
  share; the hints function publishes there);
- **the local cloud's stream** (`EPOINT_HINTS_URL`, `GET /dev/hints`): server-sent
  events from the local cloud's in-process channel, whether the local cloud runs in this
  process (`scripts/dev`) or another (the browser tests).

Pub/sub keeps nothing for a listener that was away: after every (re)connection every
watcher is woken once (a resync), since a hint may have been lost meanwhile. Screens also
poll slowly (tens of seconds) for what no hint announced; `listening()` tells them
whether the channel is up, so they can poll faster while it is not.

    async with hints.watch(customer_id) as watch:
        ...read the API...
        look = await watch.wait(timeout_s)   # True: a hint came (read again); False: timeout
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from epoint_ui.settings import get_settings

log = logging.getLogger(__name__)

# The channel the hints function publishes on (backend/dal/hint_channel.py; a unit test
# checks the two agree).
CHANNEL = "epoint:hints"
RECONNECT_AFTER_S = (0.5, 1, 2, 5, 10)  # back-off between attempts, then every 10 s
# The local cloud's stream sends a keepalive every 15 s; Redis is pinged when idle this often.
IDLE_CHECK_S = 15.0


EVERYONE = "*"  # what `customer_of` says for a hint to every screen


def customer_of(message: str | bytes) -> str | None:
    """The customer a hint message names (EVERYONE for all), or None if it is not one of ours."""
    try:
        data = json.loads(message)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if data.get("everyone") is True:
        return EVERYONE
    customer = data.get("customer_id")
    return customer if isinstance(customer, str) and customer else None


@dataclass(eq=False)
class Watch:
    """One screen's interest in one customer's hints."""

    customer_id: str
    _board: HintBoard
    _event: asyncio.Event = field(default_factory=asyncio.Event)
    _look: bool = False
    hints: int = 0  # how many hints came for it (tests, the benchmark)

    def look_again(self) -> None:
        """A hint (or a resync): the next `wait` returns True."""
        self._look = True
        self._event.set()

    def nudge(self) -> None:
        """Interrupt `wait` without asking for a look (the screen came or went)."""
        self._event.set()

    async def wait(self, timeout_s: float) -> bool:
        """Until a hint for this customer (True), a nudge or `timeout_s` (False).

        A hint that came while the screen was busy (reading the API) is not lost: the
        next wait returns True at once.
        """
        if not self._look:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), timeout=max(0.0, timeout_s))
        self._event.clear()
        look, self._look = self._look, False
        return look


class HintBoard:
    """Which screens of this process wait for which customer, and the listener that wakes them."""

    def __init__(self, source: Callable[[HintBoard], Any] | None) -> None:
        self._watches: dict[str, set[Watch]] = {}
        self._source = source
        self._task: asyncio.Task[None] | None = None
        self.connected = False
        self.received = 0

    @contextlib.asynccontextmanager
    async def watch(self, customer_id: str) -> AsyncIterator[Watch]:
        """Register a screen for `customer_id`'s hints for the span of the block."""
        self._ensure_listening()
        watch = Watch(customer_id, self)
        self._watches.setdefault(customer_id, set()).add(watch)
        try:
            yield watch
        finally:
            mine = self._watches.get(customer_id)
            if mine is not None:
                mine.discard(watch)
                if not mine:
                    del self._watches[customer_id]

    def deliver(self, customer_id: str) -> int:
        """A hint for `customer_id` (or EVERYONE) arrived: wake its screens; how many."""
        self.received += 1
        if customer_id == EVERYONE:
            self.resync()
            return self.watching()
        woken = list(self._watches.get(customer_id, ()))
        for watch in woken:
            watch.hints += 1
            watch.look_again()
        return len(woken)

    def resync(self) -> None:
        """(Re)connected: hints may have been lost meanwhile, so every screen looks again."""
        for watches in list(self._watches.values()):
            for watch in list(watches):
                watch.look_again()

    def watching(self) -> int:
        """How many screens wait now."""
        return sum(len(w) for w in self._watches.values())

    def _ensure_listening(self) -> None:
        if self._source is None or (self._task is not None and not self._task.done()):
            return
        self._task = asyncio.get_running_loop().create_task(self._listen(), name="epoint-hints")

    async def _listen(self) -> None:
        assert self._source is not None
        attempt = 0
        while True:
            try:
                await self._source(self)
                attempt = 0  # ended cleanly (the other side closed): reconnect at once
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("hint channel lost (%s); screens poll until it is back", exc)
            if self.connected:
                self.connected = False
            await asyncio.sleep(RECONNECT_AFTER_S[min(attempt, len(RECONNECT_AFTER_S) - 1)])
            attempt += 1

    def connected_now(self) -> None:
        """The source subscribed: from now on no hint is missed."""
        self.connected = True
        self.resync()

    async def close(self) -> None:
        """Stop listening (tests)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        self.connected = False


# ---------------------------------------------------------------- sources


def stream_source(url: str) -> Callable[[HintBoard], Any]:
    """The local cloud's `GET /dev/hints` (server-sent events)."""

    async def listen(board: HintBoard) -> None:
        # No read can take longer than a keepalive period plus slack: a dead peer is noticed.
        timeout = httpx.Timeout(5.0, read=3 * IDLE_CHECK_S)
        async with (
            httpx.AsyncClient(timeout=timeout) as client,
            client.stream("GET", url, headers={"accept": "text/event-stream"}) as answer,
        ):
            answer.raise_for_status()
            async for line in answer.aiter_lines():
                if line.startswith(": connected"):
                    board.connected_now()
                elif line.startswith("data:"):
                    customer = customer_of(line[5:].strip())
                    if customer:
                        board.deliver(customer)

    return listen


def redis_source(url: str) -> Callable[[HintBoard], Any]:
    """Redis pub/sub on `CHANNEL` (ElastiCache in AWS)."""

    async def listen(board: HintBoard) -> None:
        import redis.asyncio as redis  # only with Redis configured

        client = redis.from_url(url, socket_timeout=3 * IDLE_CHECK_S, socket_connect_timeout=5)
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(CHANNEL)
            while True:
                message = await pubsub.get_message(timeout=IDLE_CHECK_S)
                if message is None:
                    await pubsub.ping()  # a dead connection fails here, not silently
                elif message["type"] == "subscribe":
                    board.connected_now()
                elif message["type"] == "message":
                    customer = customer_of(message["data"])
                    if customer:
                        board.deliver(customer)
        finally:
            await pubsub.aclose()
            await client.aclose()

    return listen


def configured_source() -> Callable[[HintBoard], Any] | None:
    """The channel this state server listens on: the local cloud's stream, else Redis, else none."""
    settings = get_settings()
    if settings.hints_url:
        return stream_source(settings.hints_url)
    if settings.redis_url:
        return redis_source(settings.redis_url)
    log.warning("no hint channel configured: My code falls back to polling")
    return None


_boards: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, HintBoard] = (
    weakref.WeakKeyDictionary()
)


def board() -> HintBoard:
    """This event loop's board (one per state-server process; tests run loops of their own)."""
    loop = asyncio.get_running_loop()
    found = _boards.get(loop)
    if found is None:
        found = _boards[loop] = HintBoard(configured_source())
    return found


def watch(customer_id: str) -> contextlib.AbstractAsyncContextManager[Watch]:
    """Wait for hints about `customer_id` within an `async with` block (see the module doc)."""
    return board().watch(customer_id)


def listening() -> bool:
    """Whether this process hears the channel right now (else screens should poll faster)."""
    return board().connected

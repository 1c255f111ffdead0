"""The hint channel end to end: the hints function's publisher -> a state server's listener.

Over the local cloud's channel (an in-process broker served at `GET /dev/hints`) always,
and over Redis when `EPOINT_TEST_REDIS_URL` names one (e.g. Debian's redis-server:
`redis-server --port 16379 --save ''` and `EPOINT_TEST_REDIS_URL=redis://127.0.0.1:16379/0`),
as the browser suite runs on Redis with `REFLEX_REDIS_URL`. Both must behave alike: a hint
published once reaches the listening screen within milliseconds, a second publish for the
same item sends nothing, and after the listener lost its connection every screen looks
again once it is back.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest

from backend.dal.hint_channel import Channel, RedisChannel, message
from epoint_ui import hints
from localcloud.gateway import BackgroundServer, Gateway
from localcloud.hints import HintBroker
from localcloud.outbox import Outbox
from tests.unit.ui_browser import wait

REDIS_URL = os.environ.get("EPOINT_TEST_REDIS_URL", "")


@dataclass
class Wire:
    """A publisher, the source a state server listens with, and a way to cut the line."""

    publisher: Channel
    source: Callable[[hints.HintBoard], Any]
    cut: Callable[[], None]


def local_wire() -> Iterator[Wire]:
    broker = HintBroker()
    gateway = Gateway([], {}, None, lambda *a: None, Outbox(), dict, hints=broker)
    server = BackgroundServer(gateway, "127.0.0.1", 0, name="hints-test")
    server.start()
    try:
        yield Wire(
            broker,
            hints.stream_source(f"http://127.0.0.1:{server.port}/dev/hints"),
            broker.close,  # ends every stream: the listener reconnects
        )
    finally:
        broker.close()
        server.stop()


def redis_wire() -> Iterator[Wire]:
    import redis

    where = urlsplit(REDIS_URL)
    publisher = RedisChannel(where.hostname or "127.0.0.1", where.port or 6379, None, tls=False)
    admin = redis.Redis.from_url(REDIS_URL)
    yield Wire(
        publisher,
        hints.redis_source(REDIS_URL),
        lambda: admin.client_kill_filter(_type="pubsub"),
    )
    admin.close()


WIRES = {"local": local_wire, **({"redis": redis_wire} if REDIS_URL else {})}


@pytest.fixture(params=sorted(WIRES))
def wire(request: pytest.FixtureRequest) -> Iterator[Wire]:
    yield from WIRES[request.param]()


async def until(condition: Callable[[], bool], within_s: float = 10) -> bool:
    deadline = time.monotonic() + within_s
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    return condition()


def test_a_hint_reaches_the_waiting_screen_once_per_item(wire: Wire) -> None:
    key = f"epoint:hinted:MERCHANT#m|TX#{time.time_ns()}"

    async def scenario() -> tuple[bool, bool, float, bool, bool, bool]:
        board = hints.HintBoard(wire.source)
        async with board.watch("c-1") as screen, board.watch("c-2") as other:
            connected = await until(lambda: board.connected)
            await screen.wait(0)  # the resync of the first connection
            await other.wait(0)
            sent = time.monotonic()
            first = await asyncio.to_thread(wire.publisher.publish_once, message("c-1"), key, 60)
            woke = await screen.wait(5)
            took = time.monotonic() - sent
            again = await asyncio.to_thread(wire.publisher.publish_once, message("c-1"), key, 60)
            woke_again = await screen.wait(0.3)
            stranger = await other.wait(0)
        await board.close()
        return connected, first and woke, took, again, woke_again, stranger

    connected, delivered, took, again, woke_again, stranger = wait(scenario())
    assert connected and delivered and took < 1.0
    assert again is False and woke_again is False  # the second publish sent nothing
    assert stranger is False  # another customer's screen did not wake


def test_after_the_line_drops_every_screen_looks_again(wire: Wire) -> None:
    async def scenario() -> tuple[bool, bool, bool]:
        board = hints.HintBoard(wire.source)
        async with board.watch("c-1") as screen:
            await until(lambda: board.connected)
            await screen.wait(0)
            await asyncio.to_thread(wire.cut)
            dropped = await until(lambda: not board.connected, 5)
            back = await until(lambda: board.connected, 15)
            looked = await screen.wait(1)
        await board.close()
        return dropped, back, looked

    assert wait(scenario()) == (True, True, True)

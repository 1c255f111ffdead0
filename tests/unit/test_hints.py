"""Live hints, from the ledger's stream to a waiting screen: "customer X, look again".

The hints function on the stream records moto writes for real API calls (a scan, an earn,
a redemption, a refund), the channel's publish-once rule (invariant 12), and the state
server's side (epoint_ui/hints.py): a waiting screen wakes for its customer only, a hint
that comes while it is busy is not lost, a (re)connection makes every screen look again.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from backend import config
from backend.dal import hint_channel
from backend.events import hints as hints_function
from epoint_ui import hints as screens
from localcloud import dynamodb_streams
from localcloud.hints import HintBroker
from localcloud.streams import StreamReader
from tests.support.lambda_events import LambdaContext
from tests.support.world import Business, Person, World
from tests.unit.ui_browser import wait


@pytest.fixture
def channel() -> Any:
    """The hint channel (as the local cloud installs it) and one listener on it."""
    broker = HintBroker()
    hint_channel.use(broker)
    yield broker, broker.subscribe()
    hint_channel.use(None)


@pytest.fixture
def stream() -> StreamReader:
    """The unit table's stream (moto), read like Lambda's poller from its oldest record."""
    dynamodb_streams.install()
    return StreamReader(config.TABLE_NAME, config.AWS_REGION)


def everything_in(stream: StreamReader) -> list[dict[str, Any]]:
    (shard,) = stream.shards()
    records, _ = stream.read(stream.iterator(shard, None, "TRIM_HORIZON"), 1000)
    return records


def hinted(listener: Any) -> list[str]:
    """The customers named by the hints published so far."""
    names = []
    while (message := listener.get(0)) is not None:
        names.append(json.loads(message)["customer_id"])
    return names


def run_hints_function(records: list[dict[str, Any]]) -> dict[str, Any]:
    return hints_function.handler({"Records": records}, LambdaContext())


def test_a_scan_an_earn_a_redemption_and_a_refund_each_hint_the_customer_once(
    world: World, shop: Business, customer: Person, channel: Any, stream: StreamReader
) -> None:
    _, listener = channel
    visit = world.visit(shop, customer)
    world.earn(visit, 150_00).expect(201)
    spent = world.redeem(visit, reward_id=shop.reward.reward_id).expect(201)["transaction"]
    world.reverse(shop, spent["tx_id"]).expect(201)  # the reward refunded
    assert run_hints_function(everything_in(stream)) == {"batchItemFailures": []}
    # the visit, the earn, the redemption, the refund: nothing else a screen shows
    assert hinted(listener) == [customer.user_id] * 4


def test_sign_ups_businesses_rewards_and_staff_wake_nobody(
    world: World, shop: Business, channel: Any, stream: StreamReader
) -> None:
    _, listener = channel
    records = everything_in(stream)
    assert len(records) > 5  # profiles, the business, its staff, its reward...
    assert [hints_function.hint_for(_record(r)) for r in records] == [None] * len(records)
    run_hints_function(records)
    assert hinted(listener) == []


def test_a_batch_delivered_again_hints_nobody_twice(
    world: World, shop: Business, customer: Person, channel: Any, stream: StreamReader
) -> None:
    broker, listener = channel
    world.earn(world.visit(shop, customer), 5_00).expect(201)
    records = everything_in(stream)
    run_hints_function(records)
    run_hints_function(records)  # Lambda redelivers (a retry after a later record failed)
    assert hinted(listener) == [customer.user_id] * 2
    assert broker.duplicates == 2


def test_a_channel_failure_fails_only_that_record_and_claims_nothing(
    world: World, shop: Business, customer: Person, stream: StreamReader
) -> None:
    class Down(HintBroker):
        def publish_once(self, message: str, dedup_key: str, ttl_s: int) -> bool:
            raise ConnectionError("Redis is down")

    visit = world.visit(shop, customer)
    world.earn(visit, 5_00).expect(201)
    records = everything_in(stream)
    waking = [r for r in records if hints_function.hint_for(_record(r))]
    assert len(waking) == 2
    hint_channel.use(Down())
    try:
        answer = run_hints_function(waking[:1] + records[:2])
        # The first record failed; the two that wake nobody succeeded.
        assert answer == {"batchItemFailures": [{"itemIdentifier": _sequence(waking[0])}]}
    finally:
        hint_channel.use(None)
    broker = HintBroker()  # Redis is back: the retried record is sent, not lost to dedup
    listener = broker.subscribe()
    hint_channel.use(broker)
    try:
        assert run_hints_function(waking) == {"batchItemFailures": []}
        assert hinted(listener) == [customer.user_id] * 2
    finally:
        hint_channel.use(None)


def test_a_batch_whose_every_record_fails_fails_as_a_whole(
    world: World, shop: Business, customer: Person, stream: StreamReader
) -> None:
    """So Lambda retries it (bisecting it) instead of moving past it."""

    class Down(HintBroker):
        def publish_once(self, message: str, dedup_key: str, ttl_s: int) -> bool:
            raise ConnectionError("Redis is down")

    world.visit(shop, customer)
    waking = [r for r in everything_in(stream) if hints_function.hint_for(_record(r))]
    hint_channel.use(Down())
    try:
        with pytest.raises(Exception, match="All records failed"):
            run_hints_function(waking)
    finally:
        hint_channel.use(None)


def test_without_redis_or_an_installed_channel_the_function_refuses_loudly(
    world: World, shop: Business, customer: Person, stream: StreamReader
) -> None:
    world.visit(shop, customer)
    waking = [r for r in everything_in(stream) if hints_function.hint_for(_record(r))]
    with pytest.raises(Exception, match="All records failed"):
        run_hints_function(waking)


def test_the_screens_listen_on_the_channel_the_function_publishes_on() -> None:
    assert screens.CHANNEL == hint_channel.CHANNEL
    assert screens.customer_of(hint_channel.message("c-42")) == "c-42"
    assert screens.customer_of("not json") is None
    assert screens.customer_of('{"customer_id": ""}') is None
    assert screens.customer_of(hint_channel.everyone_message()) == screens.EVERYONE


def test_a_hint_to_everyone_makes_every_screen_look_again() -> None:
    async def scenario() -> tuple[bool, bool]:
        board = screens.HintBoard(source=None)
        async with board.watch("ana") as ana, board.watch("ben") as ben:
            board.deliver(screens.EVERYONE)
            return await ana.wait(0), await ben.wait(0)

    assert wait(scenario()) == (True, True)


def test_the_redis_channel_claims_and_publishes_in_one_script() -> None:
    """The script's keys and arguments (Redis runs it atomically: both or neither)."""

    class Script:
        def __init__(self) -> None:
            self.calls: list[tuple[list[str], list[Any]]] = []
            self.answers = iter([1, -1])

        def __call__(self, keys: list[str], args: list[Any]) -> int:
            self.calls.append((keys, args))
            return next(self.answers)

    redis_channel = hint_channel.RedisChannel("redis.internal", 6379, "token")
    redis_channel._script = Script()  # type: ignore[assignment]
    assert redis_channel.publish_once('{"customer_id":"c"}', "epoint:hinted:k", 900) is True
    assert redis_channel.publish_once('{"customer_id":"c"}', "epoint:hinted:k", 900) is False
    keys, args = redis_channel._script.calls[0]  # type: ignore[attr-defined]
    assert keys == ["epoint:hinted:k"] and args == ['{"customer_id":"c"}', 900, "epoint:hints"]
    assert "SET" in hint_channel._PUBLISH_ONCE and "NX" in hint_channel._PUBLISH_ONCE


def _record(raw: dict[str, Any]) -> Any:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
        DynamoDBRecord,
    )

    return DynamoDBRecord(raw)


def _sequence(raw: dict[str, Any]) -> str:
    return str(raw["dynamodb"]["SequenceNumber"])


# ---------------------------------------------------------------- the screens' side


def test_a_hint_wakes_its_customers_screens_and_no_one_else() -> None:
    async def scenario() -> tuple[bool, bool, bool]:
        board = screens.HintBoard(source=None)
        async with board.watch("ana") as ana, board.watch("ben") as ben:
            board.deliver("ana")
            return await ana.wait(1), await ben.wait(0.05), await ana.wait(0.05)

    assert wait(scenario()) == (True, False, False)


def test_a_hint_that_comes_while_the_screen_reads_is_not_lost() -> None:
    async def scenario() -> bool:
        board = screens.HintBoard(source=None)
        async with board.watch("ana") as ana:
            board.deliver("ana")  # the screen is reading the API, not waiting yet
            return await ana.wait(0)

    assert wait(scenario()) is True


def test_a_nudge_interrupts_the_wait_without_asking_for_a_read() -> None:
    async def scenario() -> tuple[bool, float]:
        board = screens.HintBoard(source=None)
        async with board.watch("ana") as ana:
            asyncio.get_running_loop().call_later(0.05, ana.nudge)
            started = asyncio.get_running_loop().time()
            woke = await ana.wait(5)
            return woke, asyncio.get_running_loop().time() - started

    woke, waited = wait(scenario())
    assert woke is False and waited < 1


def test_every_screen_looks_again_when_the_channel_comes_back() -> None:
    """Pub/sub keeps nothing for a listener that was away: a hint may have been lost."""

    async def scenario() -> tuple[bool, bool, bool]:
        board = screens.HintBoard(source=None)
        async with board.watch("ana") as ana, board.watch("ben") as ben:
            board.connected_now()
            return board.connected, await ana.wait(0), await ben.wait(0)

    assert wait(scenario()) == (True, True, True)

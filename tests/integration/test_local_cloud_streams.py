"""The table's stream in the local cloud: moto's, with its gaps closed, feeding the hints function.

First the fidelity layer (localcloud/dynamodb_streams.py), in-process against moto: what
DynamoDB Streams does and moto alone does not. Then the whole path through a local cloud
subprocess: a till integration calling the API directly (no state server anywhere) opens a
visit and books an earn, and a listener on the hint channel hears "look again" for that
customer, once each, and nothing for a refused earn.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodbstreams.models import dynamodbstreams_backends

from localcloud import dynamodb_streams, dynamodb_transactions, state_lock
from localcloud.streams import StreamReader
from tests.support.local_cloud import RunningCloud, running_cloud, wait_for_emails
from tests.support.world import OverHttp, World

REGION = "eu-west-1"
TABLE = "streams-fidelity"


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A table with a stream in in-process moto, with the local cloud's layers installed."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    state_lock.install()
    dynamodb_streams.install()
    dynamodb_transactions.install()
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        yield dynamodb
    dynamodb_transactions.install()  # a test may have switched to moto's own


def records(stream: StreamReader) -> list[dict[str, Any]]:
    (shard,) = stream.shards()
    found, _ = stream.read(stream.iterator(shard, None, "TRIM_HORIZON"), 1000)
    return found


def put(dynamodb: Any, pk: str, **attributes: str) -> None:
    item = {"pk": {"S": pk}, **{k: {"S": v} for k, v in attributes.items()}}
    dynamodb.put_item(TableName=TABLE, Item=item)


def test_botocore_reaches_the_stream_at_its_account_endpoint(table: Any) -> None:
    """botocore sends Streams calls to <account>.streams-ddb.<region>; moto alone answers 404."""
    put(table, "a")
    client = boto3.client("dynamodbstreams", region_name=REGION)
    hosts: list[str] = []
    client.meta.events.register("before-send", lambda request, **_: hosts.append(request.url))
    arn = table.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    described = client.describe_stream(StreamArn=arn)["StreamDescription"]
    assert described["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert ".streams-ddb." in hosts[0]


def test_records_are_in_write_order_with_both_images_and_the_tables_region(table: Any) -> None:
    put(table, "a", v="1")
    table.update_item(
        TableName=TABLE,
        Key={"pk": {"S": "a"}},
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"S": "2"}},
    )
    table.delete_item(TableName=TABLE, Key={"pk": {"S": "a"}})
    stream = StreamReader(TABLE, REGION)
    found = records(stream)
    assert [r["eventName"] for r in found] == ["INSERT", "MODIFY", "REMOVE"]
    assert found[1]["dynamodb"]["OldImage"]["v"] == {"S": "1"}
    assert found[1]["dynamodb"]["NewImage"]["v"] == {"S": "2"}
    assert {r["awsRegion"] for r in found} == {REGION}  # moto alone says us-east-1
    sequences = [int(r["dynamodb"]["SequenceNumber"]) for r in found]
    assert sequences == sorted(sequences)
    assert isinstance(found[0]["dynamodb"]["ApproximateCreationDateTime"], int)
    assert {r["eventSourceARN"] for r in found} == {stream.stream_arn}  # as Lambda adds it


def test_a_write_that_changes_nothing_writes_no_record(table: Any) -> None:
    put(table, "a", v="1")
    put(table, "a", v="1")
    assert len(records(StreamReader(TABLE, REGION))) == 1


@pytest.mark.parametrize("rollback", ["item-level", "moto's own"])
def test_a_cancelled_transaction_writes_nothing_to_the_stream(table: Any, rollback: str) -> None:
    """An earn refused by a later condition must not reach the hints (or any consumer),
    with the local cloud's transaction and with moto's (the unit suite's)."""
    if rollback == "moto's own":
        dynamodb_transactions.uninstall()
    put(table, "balance", v="0")
    with pytest.raises(ClientError, match="TransactionCanceled"):
        table.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "TX#1"}, "v": {"S": "1"}}}},
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": {"pk": {"S": "balance"}},
                        "UpdateExpression": "SET v = :new",
                        "ConditionExpression": "v = :old",
                        "ExpressionAttributeValues": {":new": {"S": "1"}, ":old": {"S": "9"}},
                    }
                },
            ]
        )
    put(table, "after", v="x")
    found = records(StreamReader(TABLE, REGION))
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in found] == ["balance", "after"]
    sequences = [int(r["dynamodb"]["SequenceNumber"]) for r in found]
    assert sequences[1] == sequences[0] + 1


def test_records_older_than_a_day_are_trimmed_and_numbers_stay(table: Any) -> None:
    put(table, "old")
    put(table, "new")
    stream = StreamReader(TABLE, REGION)
    kept = records(stream)[1]["dynamodb"]["SequenceNumber"]
    shard = table_stream_shard()
    shard.items[1].record["_written_at"] = time.time()  # "new" is fresh; "old" is from before
    shard.items[0].record["_written_at"] = time.time() - 25 * 3600
    assert dynamodb_streams.trim(shard) == 1
    assert [r["dynamodb"]["SequenceNumber"] for r in records(stream)] == [kept]
    put(table, "newest")
    assert int(records(stream)[-1]["dynamodb"]["SequenceNumber"]) == int(kept) + 1


def test_shard_iterators_expire_after_fifteen_minutes(table: Any) -> None:
    """moto keeps every iterator it made (one per GetRecords call) for ever."""
    stream = StreamReader(TABLE, REGION)
    (shard,) = stream.shards()
    for _ in range(20):
        stream.read(stream.iterator(shard, None, "LATEST"), 10)
    backend = dynamodbstreams_backends["123456789012"][REGION]
    for it in backend.shard_iterators.values():
        it.created_at -= dynamodb_streams.ITERATOR_LIFE_S + 1  # type: ignore[attr-defined]
    stream.read(stream.iterator(shard, None, "LATEST"), 10)
    assert len(backend.shard_iterators) <= 2


def table_stream_shard() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends["123456789012"][REGION].tables[TABLE].stream_shard


# ---------------------------------------------------------------- the whole path


class Listener:
    """A state server's ear on the local cloud's hint channel (GET /dev/hints)."""

    def __init__(self, url: str) -> None:
        self.heard: list[tuple[float, str]] = []
        self.connected = threading.Event()
        self._thread = threading.Thread(target=self._listen, args=(url,), daemon=True)
        self._thread.start()
        assert self.connected.wait(10), "the hint stream did not open"

    def _listen(self, url: str) -> None:
        with httpx.stream("GET", url, timeout=httpx.Timeout(5, read=None)) as answer:
            for line in answer.iter_lines():
                if line.startswith(": connected"):
                    self.connected.set()
                elif line.startswith("data:"):
                    hint = json.loads(line[5:])
                    self.heard.append((time.time(), hint.get("customer_id", "everyone")))

    def hints_for(self, customer_id: str, count: int, within_s: float = 5) -> list[float]:
        """When the first `count` hints for the customer arrived (fails after `within_s`)."""
        deadline = time.time() + within_s
        while time.time() < deadline:
            times = [t for t, who in self.heard if who == customer_id]
            if len(times) >= count:
                return times
            time.sleep(0.02)
        raise AssertionError(f"{len(times)} hints for {customer_id}, wanted {count}")


def test_a_till_calling_the_api_directly_wakes_the_customers_screens(cloud: RunningCloud) -> None:
    listener = Listener(cloud.hints_url)
    with World(OverHttp(cloud.info)) as world:
        owner = world.owner()
        shop = world.business(owner)
        customer = world.customer()
        opened_at = time.time()
        visit = world.visit(shop, customer)
        (visit_hint,) = listener.hints_for(customer.user_id, 1)
        earned_at = time.time()
        world.earn(visit, 12_50).expect(201)
        visit_hint, earn_hint = listener.hints_for(customer.user_id, 2)
        world.earn(visit, 12_50).expect(409)  # a visit earns once: refused, nothing written
        time.sleep(0.5)
    assert visit_hint - opened_at < 2 and earn_hint - earned_at < 2
    assert [who for _, who in listener.heard if who != customer.user_id] == []
    assert len(listener.hints_for(customer.user_id, 2)) == 2  # the refused earn: no hint
    status = httpx.get(f"{cloud.api_url}/dev/streams").json()
    mapping = subscription(status, "HintsFunction")
    assert mapping["discarded"] == []
    assert status["hints"]["duplicates"] == 0


def test_after_a_restart_the_stream_resumes_where_it_stopped(tmp_path: Path) -> None:
    with running_cloud(tmp_path) as first:
        listener = Listener(first.hints_url)
        with World(OverHttp(first.info)) as world:
            shop = world.business(world.owner())
            customer = world.customer()
            world.earn(world.visit(shop, customer), 5_00).expect(201)
        listener.hints_for(customer.user_id, 2)  # handled before the stop saves the checkpoint
        # The notifier's receipt writes its claim to the table after the earn, and the hints
        # function reads past that record too (its filter drops it): wait until it has.
        wait_for_emails(first.info, customer.email, 1)
        before = settled_subscription(first.api_url, "HintsFunction")
    with running_cloud(tmp_path) as second:
        restored = subscription(httpx.get(f"{second.api_url}/dev/streams").json(), "HintsFunction")
        listener = Listener(second.hints_url)
        with World(OverHttp(second.info)) as world:  # the saved tokens are still good
            time.sleep(0.5)
            assert listener.heard == []  # the earn before the restart is not hinted again
            world.earn(world.visit(shop, customer), 3_00).expect(201)
            assert len(listener.hints_for(customer.user_id, 2)) == 2
        after = subscription(httpx.get(f"{second.api_url}/dev/streams").json(), "HintsFunction")
    # The event source goes on from its saved checkpoint (so what was written but not yet
    # handled before a stop is handled after it, as Lambda's would), not from "now".
    assert restored["checkpoints"] == before["checkpoints"]
    (shard,) = before["checkpoints"]
    assert int(after["checkpoints"][shard]) > int(before["checkpoints"][shard])
    assert after["invocations"] == 2  # the new visit and the new earn, nothing older


def subscription(status: dict[str, Any], function: str) -> dict[str, Any]:
    """One function's event source mapping in `/dev/streams` (the hints function and the
    notifier both read the table's stream)."""
    (mapping,) = [m for m in status["streams"] if m["function"] == function]
    return mapping


def settled_subscription(api_url: str, function: str) -> dict[str, Any]:
    """The function's mapping once its checkpoints stay put for a second (nothing left to read)."""
    deadline = time.monotonic() + 20
    last = subscription(httpx.get(f"{api_url}/dev/streams").json(), function)
    while True:
        time.sleep(1)
        now = subscription(httpx.get(f"{api_url}/dev/streams").json(), function)
        if now["checkpoints"] == last["checkpoints"]:
            return now
        assert time.monotonic() < deadline, "the stream never settled"
        last = now


def test_moving_the_clock_tells_every_screen_to_look_again(cloud: RunningCloud) -> None:
    """Local time travel changes the truth for every code at once (expiry): no hint says so."""
    listener = Listener(cloud.hints_url)
    try:
        httpx.post(f"{cloud.api_url}/dev/clock", json={"advance_s": 1}).raise_for_status()
        assert listener.hints_for("everyone", 1)
    finally:
        httpx.post(f"{cloud.api_url}/dev/clock", json={"reset": True}).raise_for_status()

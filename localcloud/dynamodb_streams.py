"""DynamoDB Streams as AWS has them, on moto's own implementation (moto 5.2.5, measured here).

moto records a stream record per write and serves the Streams API, with these gaps,
each closed here (tests/integration/test_local_cloud_streams.py shows each one):

- **Account endpoints**: botocore sends DescribeStream/GetRecords to
  `<account>.streams-ddb.<region>.amazonaws.com` when the ARN names the account; moto
  answers those with 404 "Not yet implemented". Routed to moto's Streams backend here.
- **Cancelled transactions**: DynamoDB writes nothing to the stream for a cancelled
  TransactWriteItems. moto applies a transaction's actions one by one and, when a later
  condition fails, restores the items but keeps the stream records of the earlier ones:
  a hint (or later an email) for an earn that never happened. The local cloud's
  transaction (`dynamodb_transactions`) takes the records back with the items.
- **Writes that change nothing**: DynamoDB writes no record for a PutItem/UpdateItem that
  leaves the item as it was; moto writes a MODIFY.
- **Region**: moto stamps every record `awsRegion: us-east-1`; here it is the table's.
- **Retention**: DynamoDB drops records after 24 hours; moto keeps every record for ever
  (and the local cloud saves them). Trimmed here on write, so a long-lived local cloud's
  saved state does not grow with its history.
- **Shard iterators** expire after 15 minutes in AWS; moto keeps every one it ever made
  (one per GetRecords call). Forgotten here after 15 minutes.
- **Cost**: moto's own TransactWriteItems deep-copies every table it touches for its
  rollback, stream records included, so each transaction got slower with every record
  written (earn 4x slower in bench/ledger.py after a few hundred). Records never change
  once written: a copy of a shard shares them.

Plus what a stream reader needs to avoid polling: `wait_for_records` wakes when a record
is written. Thread safety comes from `state_lock` (Streams calls take the DynamoDB lock).
"""

from __future__ import annotations

import copy
import re
import threading
import time
from typing import Any

import moto.dynamodbstreams.urls as streams_urls
from moto import backend_index
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import StreamRecord, StreamShard, Table
from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator

RETENTION_S = 24 * 3600
ITERATOR_LIFE_S = 15 * 60
_TRIM_EVERY = 500  # writes between two retention checks
_ACCOUNT_ENDPOINT = r"https?://(.+)\.streams-ddb\.(.+)\.amazonaws\.com"

_written = threading.Condition()
_records_written = 0
_installed = False


def records_written() -> int:
    """How many stream records this process has written (for `wait_for_records`)."""
    return _records_written


def wait_for_records(seen: int, timeout_s: float | None) -> int:
    """Block until more than `seen` records were written (or the timeout); the new count."""
    with _written:
        _written.wait_for(lambda: _records_written != seen, timeout_s)
        return _records_written


def _add(self: StreamShard, old: Item | None, new: Item | None) -> None:
    """StreamShard.add as DynamoDB behaves: no record for a no-op write, the table's region."""
    global _records_written
    if old is not None and new is not None and old.to_json() == new.to_json():
        return
    event_name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    view_type = self.table.stream_specification["StreamViewType"]  # type: ignore[index]
    sequence = len(self.items) + self.starting_sequence_number
    record = StreamRecord(self.table, view_type, event_name, old, new, sequence)
    record.record["awsRegion"] = self.table.region_name
    record.record["_written_at"] = time.time()  # for retention; removed before it is read
    self.items.append(record)
    if sequence % _TRIM_EVERY == 0:
        trim(self)
    with _written:
        _records_written += 1
        _written.notify_all()


def trim(shard: StreamShard, now: float | None = None) -> int:
    """Drop records older than the retention; returns how many were dropped.

    Sequence numbers stay what they were: the shard's start moves past the dropped ones.
    """
    cutoff = (time.time() if now is None else now) - RETENTION_S
    dropped = 0
    for record in shard.items:
        if record.record.get("_written_at", 0) >= cutoff:
            break
        dropped += 1
    if dropped:
        del shard.items[:dropped]
        shard.starting_sequence_number += dropped
    return dropped


def _shard_deepcopy(self: StreamShard, memo: dict[int, Any]) -> StreamShard:
    """A copy of the shard (a transaction's backup) that shares its immutable records."""
    twin = StreamShard.__new__(StreamShard)
    memo[id(self)] = twin
    for name, value in self.__dict__.items():
        setattr(twin, name, list(value) if name == "items" else copy.deepcopy(value, memo))
    return twin


def _record_json(self: StreamRecord) -> dict[str, Any]:
    return {k: v for k, v in self.record.items() if k != "_written_at"}


def stream_lengths(tables: dict[str, Table]) -> dict[str, int]:
    """Records held per table's stream (what a transaction rolls back to)."""
    return {
        name: len(table.stream_shard.items)
        for name, table in tables.items()
        if table.stream_shard is not None
    }


def roll_back(tables: dict[str, Table], lengths: dict[str, int]) -> None:
    """Take back the records a cancelled transaction wrote (they were never committed)."""
    for name, length in lengths.items():
        shard = tables[name].stream_shard
        if shard is not None:
            del shard.items[length:]


_STOCK_ITERATOR_INIT = ShardIterator.__init__
_STOCK_GET_RECORDS = DynamoDBStreamsBackend.get_records


def _iterator_init(self: ShardIterator, *args: Any, **kwargs: Any) -> None:
    _STOCK_ITERATOR_INIT(self, *args, **kwargs)
    self.created_at = time.monotonic()  # type: ignore[attr-defined]


def _get_records(self: DynamoDBStreamsBackend, iterator_arn: str, limit: int) -> dict[str, Any]:
    oldest = time.monotonic() - ITERATOR_LIFE_S
    expired = [a for a, it in self.shard_iterators.items() if getattr(it, "created_at", 0) < oldest]
    for arn in expired:
        del self.shard_iterators[arn]
    return _STOCK_GET_RECORDS(self, iterator_arn, limit)


def install() -> None:
    """Patch moto's streams (idempotent)."""
    global _installed
    if _installed:
        return
    if _ACCOUNT_ENDPOINT not in streams_urls.url_bases:
        streams_urls.url_bases.append(_ACCOUNT_ENDPOINT)
        backend_index.backend_url_patterns.insert(
            0, ("dynamodbstreams", re.compile(_ACCOUNT_ENDPOINT))
        )
    StreamShard.add = _add  # type: ignore[method-assign]
    StreamShard.__deepcopy__ = _shard_deepcopy  # type: ignore[attr-defined]
    StreamRecord.to_json = _record_json  # type: ignore[method-assign]
    ShardIterator.__init__ = _iterator_init  # type: ignore[method-assign]
    DynamoDBStreamsBackend.get_records = _get_records  # type: ignore[method-assign]
    _installed = True

"""Lambda's DynamoDB stream event source, in-process: every function template.yaml subscribes.

For each `Events: Type: DynamoDB` on the table's stream (`template.stream_subscriptions`)
a consumer thread reads the stream through the DynamoDB Streams API (moto, with
`dynamodb_streams`' fidelity fixes) and invokes the function's handler in-process, as
Lambda's event source mapping would:

- **Batches** of up to `BatchSize` records, in stream order, one batch at a time per
  function (a shard is never processed out of order); records that do not match the
  event's `FilterCriteria` are consumed without an invocation. `StartingPosition`
  LATEST or TRIM_HORIZON; after a restart, from the saved checkpoint.
- **At least once**: a batch whose invocation raises (or outlives the function's
  Timeout) is retried, split in two first when `BisectBatchOnFunctionError` (a split
  does not count as a retry), until `MaximumRetryAttempts` or `MaximumRecordAgeInSeconds`
  is exhausted; then the batch is discarded and its description goes to the
  `OnFailure` destination (here: `discarded`, `GET /dev/streams`, and a warning).
- **Partial batch responses** (`FunctionResponseTypes: [ReportBatchItemFailures]`): the
  records before the lowest reported sequence number are done, the batch is retried from
  there (counting as a retry); an identifier not in the batch fails the whole batch.

A second consumer (an email notifier) is just another function with a DynamoDB event in
template.yaml; nothing here names a function.
"""

from __future__ import annotations

import base64
import collections
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError

from localcloud import dynamodb_streams
from localcloud.template import StreamSubscription

log = logging.getLogger(__name__)

# (event, handler path, function logical id) -> the handler's return value (LocalCloud.invoke)
Invoke = Callable[[dict[str, Any], str, str], Any]

IDLE_RECHECK_S = 30.0  # a consumer with nothing new still looks this often
RETENTION_S = dynamodb_streams.RETENTION_S
MAX_DISCARDED_KEPT = 1000


# ---------------------------------------------------------------- filter criteria


class UnsupportedFilter(ValueError):
    """A FilterCriteria pattern uses what this local event source does not implement."""


_MISSING = object()
_OPERATORS = {"prefix", "suffix", "exists", "anything-but", "equals-ignore-case"}


def check_pattern(pattern: Any) -> None:
    """Refuse (UnsupportedFilter) a pattern with anything `matches` would not honour."""
    if not isinstance(pattern, dict):
        raise UnsupportedFilter(f"a pattern level must be an object, not {pattern!r}")
    for rule in pattern.values():
        if isinstance(rule, dict):
            check_pattern(rule)
        elif isinstance(rule, list):
            for item in rule:
                if isinstance(item, dict):
                    if len(item) != 1 or next(iter(item)) not in _OPERATORS:
                        raise UnsupportedFilter(f"filter operator {item!r} is not supported")
                elif not isinstance(item, str | int | float | bool | type(None)):
                    raise UnsupportedFilter(f"filter value {item!r} is not supported")
        else:
            raise UnsupportedFilter(f"a pattern's values must be arrays or objects: {rule!r}")


def matches(pattern: dict[str, Any], data: Any) -> bool:
    """Whether `data` (a stream record) matches an EventBridge-style pattern, as Lambda filters."""
    for key, rule in pattern.items():
        value = data.get(key, _MISSING) if isinstance(data, dict) else _MISSING
        if isinstance(rule, dict):
            if not isinstance(value, dict) or not matches(rule, value):
                return False
        elif not any(_matches_one(item, value) for item in rule):
            return False
    return True


def _matches_one(rule: Any, value: Any) -> bool:
    if isinstance(rule, dict):
        ((operator, argument),) = rule.items()
        if operator == "exists":
            return (value is not _MISSING) == bool(argument)
        if value is _MISSING or isinstance(value, dict):
            return False
        values = value if isinstance(value, list) else [value]
        if operator == "prefix":
            return any(isinstance(v, str) and v.startswith(argument) for v in values)
        if operator == "suffix":
            return any(isinstance(v, str) and v.endswith(argument) for v in values)
        if operator == "equals-ignore-case":
            return any(isinstance(v, str) and v.lower() == argument.lower() for v in values)
        excluded = argument if isinstance(argument, list) else [argument]
        return all(v not in excluded for v in values)  # anything-but
    if value is _MISSING or isinstance(value, dict):
        return False
    return rule in (value if isinstance(value, list) else [value])


# ---------------------------------------------------------------- reading the stream


def _plain(value: Any) -> Any:
    """A boto3 stream record as Lambda's JSON event has it (epoch seconds, base64 binary)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    return value


SHARDS_RECHECK_S = 60.0  # shards change rarely (a split); Lambda's poller relists them too


class StreamReader:
    """One table's stream, read through the DynamoDB Streams API like Lambda's poller does."""

    def __init__(self, table_name: str, region: str) -> None:
        dynamodb = boto3.client("dynamodb", region_name=region)
        table = dynamodb.describe_table(TableName=table_name)["Table"]
        self.stream_arn: str = table["LatestStreamArn"]
        self._client = boto3.client("dynamodbstreams", region_name=region)
        self._shards: list[str] = []
        self._listed = 0.0

    def shards(self) -> list[str]:
        """The stream's shard ids, oldest first (listed again once a minute)."""
        if not self._shards or time.monotonic() - self._listed > SHARDS_RECHECK_S:
            described = self._client.describe_stream(StreamArn=self.stream_arn)
            self._shards = [s["ShardId"] for s in described["StreamDescription"]["Shards"]]
            self._listed = time.monotonic()
        return self._shards

    def iterator(self, shard: str, after: str | None, starting_position: str) -> str:
        """An iterator after sequence number `after`, or at the starting position."""
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": shard}
        if after is not None:
            kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=after)
        else:
            kwargs["ShardIteratorType"] = starting_position
        return str(self._client.get_shard_iterator(**kwargs)["ShardIterator"])

    def read(self, iterator: str, limit: int) -> tuple[list[dict[str, Any]], str]:
        """Up to `limit` records as Lambda hands them over, and the next iterator."""
        answer = self._client.get_records(ShardIterator=iterator, Limit=limit)
        records = [{**_plain(r), "eventSourceARN": self.stream_arn} for r in answer["Records"]]
        return records, str(answer["NextShardIterator"])


# ---------------------------------------------------------------- one event source mapping


@dataclass
class Discarded:
    """A batch the event source gave up on: what Lambda sends to the on-failure destination."""

    function: str
    destination: str | None
    condition: str  # RetryAttemptsExhausted | RecordAgeExceeded
    approximate_invoke_count: int
    shard_id: str
    start_sequence_number: str
    end_sequence_number: str
    batch_size: int
    stream_arn: str
    timestamp: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    def invocation_record(self) -> dict[str, Any]:
        """The message Lambda puts on the destination for a stream batch it discarded."""
        return {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self.function,
                "condition": self.condition,
                "approximateInvokeCount": self.approximate_invoke_count,
            },
            "version": "1.0",
            "timestamp": self.timestamp,
            "DDBStreamBatchInfo": {
                "shardId": self.shard_id,
                "startSequenceNumber": self.start_sequence_number,
                "endSequenceNumber": self.end_sequence_number,
                "batchSize": self.batch_size,
                "streamArn": self.stream_arn,
            },
        }


def _sequence(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


class StreamConsumer:
    """One function's event source mapping on one table's stream."""

    def __init__(
        self,
        subscription: StreamSubscription,
        reader: StreamReader,
        invoke: Invoke,
        *,
        checkpoints: dict[str, str] | None = None,
        retry_delay_s: float = 0.2,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        for pattern in subscription.filters:
            check_pattern(pattern)
        self.subscription = subscription
        self.reader = reader
        self.invoke = invoke
        self.retry_delay_s = retry_delay_s
        self.clock = clock
        self.sleep = sleep
        # shard -> sequence number of the last record handled (delivered, filtered or discarded)
        self.checkpoints: dict[str, str] = dict(checkpoints or {})
        self.discarded: collections.deque[Discarded] = collections.deque(maxlen=MAX_DISCARDED_KEPT)
        self.invocations = 0
        self.records_delivered = 0
        self._iterators: dict[str, str] = {}
        for shard in reader.shards():  # position now: LATEST means "from this moment"
            self._iterators[shard] = self._fresh_iterator(shard)

    def _fresh_iterator(self, shard: str) -> str:
        after = self.checkpoints.get(shard)
        try:
            return self.reader.iterator(shard, after, self.subscription.starting_position)
        except (ClientError, AssertionError, KeyError):
            # The checkpoint is older than the stream's retention (TrimmedDataAccess).
            log.warning("%s: records after %s were trimmed", self.subscription.function, after)
            return self.reader.iterator(shard, None, "TRIM_HORIZON")

    def poll(self) -> int:
        """Read what is new on every shard and deliver it; how many records were read."""
        if not self.subscription.enabled:
            return 0
        read = 0
        for shard in self.reader.shards():
            if shard not in self._iterators:
                self._iterators[shard] = self._fresh_iterator(shard)
            while True:
                try:
                    records, following = self.reader.read(
                        self._iterators[shard], self.subscription.batch_size
                    )
                except (ClientError, AssertionError, KeyError):
                    self._iterators[shard] = self._fresh_iterator(shard)  # expired or trimmed
                    records, following = self.reader.read(
                        self._iterators[shard], self.subscription.batch_size
                    )
                self._iterators[shard] = following
                if not records:
                    break
                read += len(records)
                wanted = [r for r in records if self._wanted(r)]
                self._deliver(shard, wanted)
                self.checkpoints[shard] = _sequence(records[-1])
        return read

    def _wanted(self, record: dict[str, Any]) -> bool:
        filters = self.subscription.filters
        return not filters or any(matches(pattern, record) for pattern in filters)

    # ------------------------------------------------------------ delivery

    def _deliver(self, shard: str, records: list[dict[str, Any]]) -> None:
        sub = self.subscription
        batches: collections.deque[tuple[list[dict[str, Any]], int]] = collections.deque()
        if records:
            batches.append((records, 0))
        while batches:
            batch, retries = batches.popleft()
            batch = self._drop_expired(shard, batch, retries)
            if not batch:
                continue
            failed_from = self._invoke(batch)
            if failed_from is None:
                self.records_delivered += len(batch)
                continue
            if failed_from >= 0:  # a partial batch response: the records before it are done
                self.records_delivered += failed_from
                rest = batch[failed_from:]
            elif sub.bisect_on_error and len(batch) > 1:
                half = len(batch) // 2
                batches.extendleft([(batch[half:], retries), (batch[:half], retries)])
                continue
            else:
                rest = batch
            if 0 <= sub.max_retry_attempts <= retries:
                self._discard(shard, rest, "RetryAttemptsExhausted", retries + 1)
                continue
            self.sleep(min(self.retry_delay_s * 2**retries, 5.0))
            batches.appendleft((rest, retries + 1))

    def _invoke(self, batch: list[dict[str, Any]]) -> int | None:
        """None: the batch succeeded; -1: it failed as a whole; else the first record to retry."""
        sub = self.subscription
        self.invocations += 1
        try:
            answer = self.invoke({"Records": batch}, sub.handler, sub.function)
        except Exception:
            log.exception("%s failed a batch of %d stream records", sub.function, len(batch))
            return -1
        if not sub.report_item_failures or not isinstance(answer, dict):
            return None
        failures = answer.get("batchItemFailures")
        if not failures:
            return None
        sequences = [_sequence(r) for r in batch]
        try:
            return min(sequences.index(str(f["itemIdentifier"])) for f in failures)
        except (KeyError, TypeError, ValueError):
            # An identifier that is missing, empty or not in the batch: Lambda fails the
            # whole batch.
            return -1

    def _drop_expired(
        self, shard: str, batch: list[dict[str, Any]], retries: int
    ) -> list[dict[str, Any]]:
        max_age = self.subscription.max_record_age_s
        limit = RETENTION_S if max_age < 0 else max_age
        oldest = self.clock() - limit
        young = [r for r in batch if r["dynamodb"]["ApproximateCreationDateTime"] >= oldest]
        if len(young) < len(batch):
            expired = [r for r in batch if r["dynamodb"]["ApproximateCreationDateTime"] < oldest]
            self._discard(shard, expired, "RecordAgeExceeded", retries)
        return young

    def _discard(
        self, shard: str, records: list[dict[str, Any]], condition: str, invocations: int
    ) -> None:
        sub = self.subscription
        gone = Discarded(
            function=sub.function,
            destination=sub.on_failure,
            condition=condition,
            approximate_invoke_count=invocations,
            shard_id=shard,
            start_sequence_number=_sequence(records[0]),
            end_sequence_number=_sequence(records[-1]),
            batch_size=len(records),
            stream_arn=self.reader.stream_arn,
        )
        self.discarded.append(gone)
        log.warning(
            "%s: %d stream records discarded (%s) -> %s",
            sub.function,
            len(records),
            condition,
            sub.on_failure or "no on-failure destination",
        )

    def status(self) -> dict[str, Any]:
        """What GET /dev/streams shows for this mapping."""
        return {
            "function": self.subscription.function,
            "event": self.subscription.event,
            "enabled": self.subscription.enabled,
            "checkpoints": dict(self.checkpoints),
            "invocations": self.invocations,
            "records_delivered": self.records_delivered,
            "discarded": [asdict(d) for d in self.discarded],
        }


# ---------------------------------------------------------------- all of them


class StreamRunner:
    """A thread per stream subscription, woken by every stream record the table writes."""

    def __init__(self, consumers: list[StreamConsumer]) -> None:
        self.consumers = consumers
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> StreamRunner:
        """Start one daemon thread per consumer."""
        for consumer in self.consumers:
            thread = threading.Thread(
                target=self._run,
                args=(consumer,),
                name=f"epoint-stream-{consumer.subscription.function}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop after the batch in flight."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _run(self, consumer: StreamConsumer) -> None:
        seen, checked = -1, 0.0
        while not self._stop.is_set():
            written = dynamodb_streams.records_written()
            if written != seen or time.monotonic() - checked > IDLE_RECHECK_S:
                seen, checked = written, time.monotonic()
                try:
                    consumer.poll()
                except Exception:
                    log.exception("stream consumer %s failed", consumer.subscription.function)
                    self._stop.wait(1.0)
                continue
            dynamodb_streams.wait_for_records(seen, timeout_s=0.5)

    def checkpoints(self) -> dict[str, dict[str, str]]:
        """function -> shard -> last handled sequence number (saved with the local data)."""
        return {c.subscription.function: dict(c.checkpoints) for c in self.consumers}

    def status(self) -> list[dict[str, Any]]:
        """Every mapping's status (GET /dev/streams)."""
        return [consumer.status() for consumer in self.consumers]

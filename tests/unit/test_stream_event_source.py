"""The local cloud's stream event source does what Lambda's does (localcloud/streams.py).

Batches in stream order, filters, at least once (retries, bisection, partial batch
responses), record age, the on-failure destination; and with the real hints handler on
top, a redelivered batch hints nobody twice (invariant 12). A stand-in stream feeds it
here; tests/integration/test_local_cloud_streams.py reads moto's.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from backend.dal import hint_channel
from backend.events import hints as hints_function
from localcloud import template
from localcloud.hints import HintBroker
from localcloud.streams import StreamConsumer, UnsupportedFilter, check_pattern, matches
from tests.support.lambda_events import LambdaContext

STREAM_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2026-01-01T00:00:00"
# The hints function as template.yaml declares it (the notifier reads the same stream).
(HINTS,) = [s for s in template.stream_subscriptions() if s.function == "HintsFunction"]


class Stream:
    """A one-shard stream that hands out records like the Streams API."""

    stream_arn = STREAM_ARN

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def write(
        self,
        sk: str,
        customer: str = "c-1",
        event: str = "INSERT",
        age_s: float = 0.0,
        pk: str = "MERCHANT#m-1",
    ) -> str:
        """One stream record (an item written); returns its sequence number."""
        sequence = str(1000 + len(self.records))
        image = {"pk": {"S": pk}, "sk": {"S": sk}, "customer_id": {"S": customer}}
        self.records.append(
            {
                "eventID": f"e{sequence}",
                "eventName": event,
                "eventSource": "aws:dynamodb",
                "eventVersion": "1.1",
                "awsRegion": "eu-west-1",
                "dynamodb": {
                    "ApproximateCreationDateTime": int(time.time() - age_s),
                    "Keys": {"pk": image["pk"], "sk": image["sk"]},
                    "NewImage": image,
                    "SequenceNumber": sequence,
                    "SizeBytes": 100,
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
                "eventSourceARN": STREAM_ARN,
            }
        )
        return sequence

    def shards(self) -> list[str]:
        return ["shard-1"]

    def iterator(self, shard: str, after: str | None, starting_position: str) -> str:
        if after is not None:
            return str(int(after) - 1000 + 1)
        return "0" if starting_position == "TRIM_HORIZON" else str(len(self.records))

    def read(self, iterator: str, limit: int) -> tuple[list[dict[str, Any]], str]:
        start = int(iterator)
        batch = self.records[start : start + limit]
        return [dict(r) for r in batch], str(start + len(batch))


class Function:
    """A stream consumer function that records its batches and answers as scripted."""

    def __init__(self, answer: Callable[[list[dict[str, Any]]], Any] = lambda batch: None):
        self.batches: list[list[str]] = []
        self.succeeded: list[str] = []  # records of the invocations that did not raise
        self.answer = answer

    def __call__(self, event: dict[str, Any], handler: str, function_id: str) -> Any:
        records = event["Records"]
        sequences = [r["dynamodb"]["SequenceNumber"] for r in records]
        self.batches.append(sequences)
        answer = self.answer(records)
        self.succeeded += sequences
        return answer

    def delivered(self) -> list[str]:
        return [seq for batch in self.batches for seq in batch]


def consumer(stream: Stream, function: Any, **settings: Any) -> StreamConsumer:
    subscription = template.StreamSubscription(
        function="TestFunction",
        handler="tests.handler",
        table="LedgerTable",
        event="Stream",
        **{"starting_position": "TRIM_HORIZON", **settings},
    )
    return StreamConsumer(subscription, stream, function, retry_delay_s=0, sleep=lambda s: None)


def failing_for(sequences: set[str], times: int) -> Callable[[list[dict[str, Any]]], Any]:
    """Raises while the batch holds one of `sequences`, `times` times in all."""
    left = [times]

    def answer(batch: list[dict[str, Any]]) -> None:
        if left[0] > 0 and {r["dynamodb"]["SequenceNumber"] for r in batch} & sequences:
            left[0] -= 1
            raise RuntimeError("the function failed")

    return answer


# ---------------------------------------------------------------- batches and positions


def test_records_arrive_in_stream_order_in_batches_of_the_batch_size():
    stream, function = Stream(), Function()
    written = [stream.write(f"TX#{i}") for i in range(250)]
    consumer(stream, function, batch_size=100).poll()
    assert [len(b) for b in function.batches] == [100, 100, 50]
    assert function.delivered() == written


def test_latest_means_from_the_moment_the_mapping_starts():
    stream, function = Stream(), Function()
    stream.write("TX#old")
    source = consumer(stream, function, starting_position="LATEST")
    new = stream.write("TX#new")
    source.poll()
    assert function.delivered() == [new]


def test_a_restarted_mapping_resumes_after_its_checkpoint():
    stream, function = Stream(), Function()
    first = consumer(stream, function)
    stream.write("TX#1")
    first.poll()
    later = stream.write("TX#2")
    consumer(stream, function, starting_position="LATEST").poll()  # no checkpoint: nothing
    again = StreamConsumer(
        first.subscription, stream, function, checkpoints=first.checkpoints, sleep=lambda s: None
    )
    again.poll()
    assert function.delivered()[-1] == later and function.delivered().count(later) == 1


def test_records_the_filter_rejects_are_consumed_without_an_invocation():
    stream, function = Stream(), Function()
    visit = stream.write("VISIT#v-1")
    stream.write("MEMBER#m-1", pk="USER#c-1")  # the balance: not what a screen shows
    stream.write("IDEMPOTENCY", pk="IDEMPOTENCY#x")
    entry = stream.write("TX#t-1")
    stream.write("TX#t-1", event="MODIFY")  # a refund marking the original entry
    source = consumer(stream, function, filters=HINTS.filters)
    source.poll()
    assert function.delivered() == [visit, entry]
    assert source.checkpoints["shard-1"] == stream.records[-1]["dynamodb"]["SequenceNumber"]


def test_filter_patterns_match_like_lambdas():
    record = {"eventName": "INSERT", "dynamodb": {"NewImage": {"sk": {"S": "TX#1"}}}}
    assert matches({"eventName": ["INSERT", "MODIFY"]}, record)
    assert not matches({"eventName": ["REMOVE"]}, record)
    assert matches({"dynamodb": {"NewImage": {"sk": {"S": [{"prefix": "TX#"}]}}}}, record)
    assert not matches({"dynamodb": {"OldImage": {"sk": {"S": [{"prefix": "TX#"}]}}}}, record)
    assert matches({"dynamodb": {"OldImage": [{"exists": False}]}}, record)
    assert matches({"eventName": [{"anything-but": ["REMOVE"]}]}, record)
    assert not matches({"eventName": [{"anything-but": "INSERT"}]}, record)


@pytest.mark.parametrize(
    "pattern",
    [
        {"dynamodb": {"NewImage": {"points": {"N": [{"numeric": [">", 0]}]}}}},
        {"eventName": "INSERT"},  # values must be arrays
        {"eventName": [{"wildcard": "IN*"}]},
    ],
)
def test_a_filter_the_local_cloud_cannot_honour_is_refused_not_ignored(pattern):
    with pytest.raises(UnsupportedFilter):
        check_pattern(pattern)
    with pytest.raises(UnsupportedFilter):
        consumer(Stream(), Function(), filters=(pattern,))


# ---------------------------------------------------------------- at least once


def test_a_failed_batch_is_delivered_again_until_it_succeeds():
    stream = Stream()
    written = [stream.write(f"TX#{i}") for i in range(3)]
    function = Function(failing_for(set(written), times=2))
    consumer(stream, function, max_retry_attempts=5).poll()
    assert function.batches == [written, written, written]


def test_bisection_isolates_a_poison_record_and_the_rest_get_through():
    stream = Stream()
    written = [stream.write(f"TX#{i}") for i in range(8)]
    poison = written[5]
    function = Function(failing_for({poison}, times=1000))
    source = consumer(
        stream,
        function,
        bisect_on_error=True,
        max_retry_attempts=2,
        on_failure="FailedQueue",
    )
    source.poll()
    assert sorted(function.succeeded) == sorted(set(written) - {poison})
    (gone,) = source.discarded
    assert (gone.start_sequence_number, gone.end_sequence_number) == (poison, poison)
    assert (gone.condition, gone.destination) == ("RetryAttemptsExhausted", "FailedQueue")
    assert gone.approximate_invoke_count == 3  # the first try and two retries
    record = gone.invocation_record()
    assert record["DDBStreamBatchInfo"]["streamArn"] == STREAM_ARN
    # The shard moves on: what comes next is delivered.
    after = stream.write("TX#later")
    source.poll()
    assert function.delivered()[-1] == after


def test_without_bisection_the_whole_batch_is_discarded_after_the_retries():
    stream = Stream()
    written = [stream.write(f"TX#{i}") for i in range(4)]
    function = Function(failing_for({written[1]}, times=1000))
    source = consumer(stream, function, max_retry_attempts=1)
    source.poll()
    assert function.batches == [written, written]
    (gone,) = source.discarded
    assert (gone.start_sequence_number, gone.end_sequence_number) == (written[0], written[-1])


def test_a_partial_batch_response_retries_from_the_lowest_failed_record():
    stream = Stream()
    written = [stream.write(f"TX#{i}") for i in range(5)]
    answers = iter(
        [
            {"batchItemFailures": [{"itemIdentifier": written[3]}, {"itemIdentifier": written[2]}]},
            {"batchItemFailures": []},
        ]
    )
    function = Function(lambda batch: next(answers))
    consumer(stream, function, report_item_failures=True, max_retry_attempts=3).poll()
    assert function.batches == [written, written[2:]]


@pytest.mark.parametrize(
    "failure", [{"itemIdentifier": "999999"}, {"itemIdentifier": ""}, {"id": "x"}]
)
def test_an_item_identifier_not_in_the_batch_fails_the_whole_batch(failure):
    stream = Stream()
    written = [stream.write(f"TX#{i}") for i in range(3)]
    answers = iter([{"batchItemFailures": [failure]}, None])
    function = Function(lambda batch: next(answers))
    consumer(stream, function, report_item_failures=True, max_retry_attempts=3).poll()
    assert function.batches == [written, written]


def test_without_report_batch_item_failures_an_answer_is_not_read_as_failures():
    stream = Stream()
    written = [stream.write("TX#1")]
    function = Function(lambda batch: {"batchItemFailures": [{"itemIdentifier": written[0]}]})
    consumer(stream, function).poll()
    assert function.batches == [written]


def test_records_older_than_the_maximum_age_are_discarded_not_delivered():
    stream, function = Stream(), Function()
    old = stream.write("TX#old", age_s=700)
    fresh = stream.write("TX#fresh")
    source = consumer(stream, function, max_record_age_s=600)
    source.poll()
    assert function.delivered() == [fresh]
    (gone,) = source.discarded
    assert (gone.condition, gone.start_sequence_number) == ("RecordAgeExceeded", old)


def test_a_second_consumer_is_just_another_function_in_the_template():
    fragment = template.parse_template(
        """
Resources:
  EmailsFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: backend.events.emails.handler
      Events:
        LedgerStream:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt LedgerTable.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 10
  OtherTableReader:
    Type: AWS::Serverless::Function
    Properties:
      Handler: other.handler
      Events:
        Other:
          Type: DynamoDB
          Properties: {Stream: !GetAtt OtherTable.StreamArn, StartingPosition: LATEST}
"""
    )
    (emails,) = template.stream_subscriptions("LedgerTable", fragment)
    assert (emails.function, emails.handler, emails.batch_size) == (
        "EmailsFunction",
        "backend.events.emails.handler",
        10,
    )
    assert emails.starting_position == "TRIM_HORIZON" and emails.max_retry_attempts == -1


# ---------------------------------------------------------------- with the hints function


class FlakyChannel(HintBroker):
    """The hint channel, failing the first publish for one customer (Redis hiccup)."""

    def __init__(self, fail_for: str) -> None:
        super().__init__()
        self.fail_for = fail_for

    def publish_once(self, message: str, dedup_key: str, ttl_s: int) -> bool:
        if self.fail_for in message:
            self.fail_for = "nobody"
            raise ConnectionError("Redis did not answer")
        return super().publish_once(message, dedup_key, ttl_s)


@pytest.fixture
def channel() -> Any:
    broker = FlakyChannel(fail_for="c-2")
    hint_channel.use(broker)
    yield broker
    hint_channel.use(None)


def test_a_redelivered_batch_hints_every_customer_once_per_item(channel):
    """At least once in, at most once out: the retried records that had gone out send nothing."""
    listener = channel.subscribe()
    stream = Stream()
    for customer in ("c-1", "c-2", "c-3"):
        stream.write(f"VISIT#{customer}", customer=customer)
        stream.write(f"TX#{customer}", customer=customer)

    def hints_function_in_lambda(event: dict[str, Any], handler: str, function: str) -> Any:
        return hints_function.handler(event, LambdaContext())

    source = StreamConsumer(
        HINTS, stream, hints_function_in_lambda, retry_delay_s=0, sleep=lambda s: None
    )
    # HINTS starts at LATEST: rewind to the first record, like a replay after an outage.
    source._iterators["shard-1"] = "0"
    source.poll()
    sent = []
    while (message := listener.get(0)) is not None:
        sent.append(json.loads(message)["customer_id"])
    assert sorted(sent) == ["c-1", "c-1", "c-2", "c-2", "c-3", "c-3"]
    assert source.invocations == 2  # c-2's visit failed: the batch went again from there
    assert channel.duplicates == 3  # c-2's entry and c-3's two items were out the first time
    assert not source.discarded

"""The notifier: the table's stream -> email through SES, never on the write path.

Receipts (earn, redemption, a stamp card's reward, refund), reminders (a reward within
reach, points about to expire), staff invitations and account deletion confirmations:
each is an item the stream carries here (`backend/logic/notifications.py` says which email
each one calls for). Earn and redeem stay one DynamoDB round trip: nothing is sent inline.

Lambda's DynamoDB event source invokes it with batches of records, at least once; a
record that fails (SES throttled, a DynamoDB hiccup) is reported back (partial batch
response) and retried from there. Each email is claimed once before it is sent, so the
retried records that had succeeded send nothing twice.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from backend.dal import dynamodb as db
from backend.logic import notifications
from backend.observability import count, log_metrics, logger

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)

# Metric names by outcome: EmailsSent, EmailsDuplicate, EmailsSuppressed, ...
_METRICS = {
    notifications.SENT: "EmailsSent",
    notifications.DUPLICATE: "EmailsDuplicate",
    notifications.SUPPRESSED: "EmailsSuppressed",
    notifications.OPTED_OUT: "EmailsOptedOut",
}


def change_of(record: DynamoDBRecord) -> notifications.Change:
    """The record's event and images, as the DAL reads items (integers, not Decimals)."""
    raw = record.raw_event.get("dynamodb") or {}
    return notifications.Change(
        event=str(record.raw_event.get("eventName", "")),
        new=db.from_item(raw.get("NewImage")),
        old=db.from_item(raw.get("OldImage")),
    )


def _send(record: DynamoDBRecord) -> None:
    change = change_of(record)
    for outcome in notifications.on_change(change):
        name = _METRICS.get(outcome)
        if name:
            count(name=name, value=1)
        logger.info("email", extra={"item": change.item_key, "outcome": outcome})


@log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A batch of stream records; answers the records that failed (partial batch response)."""
    return process_partial_response(
        event=event, record_handler=_send, processor=processor, context=context
    )

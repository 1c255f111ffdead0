"""The hints function: the table's stream -> "customer X, look again" on the hint channel.

One hint per visit opened and per ledger entry written (earn, redemption, refund, and
every later kind of balance change, since each is one ledger entry), so a customer's open
My code screen learns about a scan or an earn within a second, whoever made it: the
state server's till or a till integration calling the API directly. The hint names only
the customer; the screen re-reads the truth from the API.

Lambda's DynamoDB event source invokes it with batches of stream records, at least once:
a record that fails is reported back (partial batch response) and Lambda retries from it;
the channel publishes at most once per item, so the retried records that had succeeded
send nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)

from backend.dal import hint_channel, keys
from backend.observability import count, log_metrics, logger

# The items whose arrival a customer's screen shows: a visit (the scan), a ledger entry,
# and a typed code's request (the screen asks the customer to allow it).
WAKING_ITEMS = (keys.visit(""), keys.tx(""), keys.approval(""))

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@dataclass(frozen=True)
class Hint:
    """Wake `customer_id`'s screens, because of the item `item_key` (one hint per item)."""

    customer_id: str
    item_key: str


def hint_for(record: DynamoDBRecord) -> Hint | None:
    """The hint a stream record calls for, or None (anything but a new visit, ledger entry
    or typed code's request)."""
    if record.event_name != DynamoDBRecordEventName.INSERT or record.dynamodb is None:
        return None
    image = record.dynamodb.new_image or {}
    sort_key = str(image.get("sk", ""))
    customer_id = image.get("customer_id")
    if not sort_key.startswith(WAKING_ITEMS) or not customer_id:
        return None
    return Hint(str(customer_id), f"{image['pk']}|{sort_key}")


def _send(record: DynamoDBRecord) -> None:
    hint = hint_for(record)
    if hint is None:
        return
    if hint_channel.publish_once(hint.customer_id, hint.item_key):
        count(name="HintsSent", value=1)
    else:
        logger.info("hint already sent", extra={"item": hint.item_key})
        count(name="HintsDuplicate", value=1)


@log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A batch of stream records; answers the records that failed (partial batch response)."""
    return process_partial_response(
        event=event, record_handler=_send, processor=processor, context=context
    )

"""The one place that speaks DynamoDB: client, (un)marshalling, reads, transactions, cursors.

We use botocore's low-level client directly (boto3 would add only its resource layer and
s3transfer, which cost import time and nothing we use). botocore honours AWS_ENDPOINT_URL,
so the same client talks to moto locally and to DynamoDB in AWS.
"""

from __future__ import annotations

import base64
import functools
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import botocore.session
from botocore.exceptions import ClientError

from backend import config

T = TypeVar("T")

# ------------------------------------------------------------------ client


@functools.cache
def client() -> Any:
    """The DynamoDB client, created on first use and kept for the container's life."""
    session = botocore.session.get_session()
    return session.create_client("dynamodb", region_name=config.AWS_REGION)


def reset_client() -> None:
    """Forget the client (tests that swap credentials or endpoints)."""
    client.cache_clear()


# ------------------------------------------------------------------ marshalling (ints only)


def to_attr(value: Any) -> dict[str, Any]:
    """Python value -> DynamoDB attribute value. Numbers must be int: no floats in the ledger."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, list | tuple):
        return {"L": [to_attr(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {k: to_attr(v) for k, v in value.items()}}
    raise TypeError(f"cannot store {type(value).__name__} in the ledger table")


def from_attr(attr: dict[str, Any]) -> Any:
    """DynamoDB attribute value -> Python value."""
    ((kind, value),) = attr.items()
    if kind == "S":
        return value
    if kind == "N":
        return int(value)
    if kind == "BOOL":
        return value
    if kind == "NULL":
        return None
    if kind == "L":
        return [from_attr(v) for v in value]
    if kind == "M":
        return {k: from_attr(v) for k, v in value.items()}
    raise TypeError(f"unexpected attribute type {kind}")


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """A Python dict -> a DynamoDB item."""
    return {k: to_attr(v) for k, v in values.items()}


def from_item(item: dict[str, Any] | None) -> dict[str, Any] | None:
    """A DynamoDB item -> a Python dict (None stays None)."""
    return None if item is None else {k: from_attr(v) for k, v in item.items()}


def key(pk: str, sk: str) -> dict[str, Any]:
    """The table key of one item."""
    return {"pk": {"S": pk}, "sk": {"S": sk}}


# ------------------------------------------------------------------ single-item calls


def get(pk: str, sk: str, *, consistent: bool = False) -> dict[str, Any] | None:
    """One item, or None."""
    resp = client().get_item(
        TableName=config.TABLE_NAME, Key=key(pk, sk), ConsistentRead=consistent
    )
    return from_item(resp.get("Item"))


def batch_get(keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Several items in one round trip (retrying unprocessed keys), by (pk, sk)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    request: dict[str, Any] = {config.TABLE_NAME: {"Keys": [key(pk, sk) for pk, sk in set(keys)]}}
    while request:
        resp = client().batch_get_item(RequestItems=request)
        for raw in resp.get("Responses", {}).get(config.TABLE_NAME, []):
            item = from_item(raw)
            found[(item["pk"], item["sk"])] = item
        request = resp.get("UnprocessedKeys") or {}
    return found


CONFLICT_RETRIES = 8


def _through_conflicts(write: Callable[[], T], conflicted: Callable[[Exception], bool]) -> T:
    """`write()`, tried again while it fails only because another writer held one of its
    items at that moment (DynamoDB's `TransactionConflict`: nothing was written); with
    jitter, so the writers that collided spread out. Any other error, or a conflict on the
    last attempt, raises."""
    for attempt in range(CONFLICT_RETRIES - 1):
        try:
            return write()
        except Exception as error:
            if not conflicted(error):
                raise
        time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
    return write()


def _single_write_conflicted(error: Exception) -> bool:
    return (
        isinstance(error, ClientError)
        and error.response["Error"]["Code"] == "TransactionConflictException"
    )


def put(
    item: dict[str, Any], condition: str | None = None, values: dict[str, Any] | None = None
) -> None:
    """Put one item (optionally conditional; ConditionalCheckFailedException propagates)."""
    kwargs: dict[str, Any] = {"TableName": config.TABLE_NAME, "Item": to_item(item)}
    if condition:
        kwargs["ConditionExpression"] = condition
    if values:
        kwargs["ExpressionAttributeValues"] = to_item(values)
    _write("put_item", kwargs)


def update(
    pk: str,
    sk: str,
    expression: str,
    values: dict[str, Any] | None = None,
    names: dict[str, str] | None = None,
    condition: str | None = None,
) -> dict[str, Any]:
    """Update one item; returns the item as it is afterwards."""
    kwargs: dict[str, Any] = {
        "TableName": config.TABLE_NAME,
        "Key": key(pk, sk),
        "UpdateExpression": expression,
        "ReturnValues": "ALL_NEW",
    }
    if values:
        kwargs["ExpressionAttributeValues"] = to_item(values)
    if names:
        kwargs["ExpressionAttributeNames"] = names
    if condition:
        kwargs["ConditionExpression"] = condition
    return from_item(_write("update_item", kwargs)["Attributes"]) or {}


def update_existing(
    pk: str,
    sk: str,
    expression: str,
    values: dict[str, Any] | None = None,
    names: dict[str, str] | None = None,
) -> dict[str, Any] | None:
    """Update one item if it is there: the item afterwards, or None (nothing written)."""
    try:
        return update(pk, sk, expression, values, names, condition="attribute_exists(pk)")
    except ClientError as error:
        if is_condition_failure(error):
            return None
        raise


def delete(pk: str, sk: str) -> None:
    """Delete one item (unconditionally; deleting what is not there is not an error)."""
    _write("delete_item", {"TableName": config.TABLE_NAME, "Key": key(pk, sk)})


def _write(operation: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """One single-item write, tried again while a transaction in flight holds its item."""
    return _through_conflicts(
        lambda: getattr(client(), operation)(**kwargs), _single_write_conflicted
    )


def is_condition_failure(error: ClientError) -> bool:
    """True when a single-item write was refused by its condition."""
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


# ------------------------------------------------------------------ transactions


@dataclass(frozen=True)
class Reason:
    """Why one action of a cancelled transaction failed (code None = it did not)."""

    code: str | None
    item: dict[str, Any] | None  # the item as it was (ALL_OLD), when the condition failed


class TransactionCancelled(Exception):
    """A TransactWriteItems was cancelled; `reasons` lines up with the actions sent."""

    def __init__(self, reasons: list[Reason]) -> None:
        super().__init__([r.code for r in reasons])
        self.reasons = reasons

    def failed(self, index: int) -> Reason | None:
        """The reason for action `index` if its condition failed, else None."""
        reason = self.reasons[index] if index < len(self.reasons) else None
        return reason if reason and reason.code == "ConditionalCheckFailed" else None

    @property
    def conflicted(self) -> bool:
        """True when another transaction touched the same items at the same moment."""
        return any(r.code == "TransactionConflict" for r in self.reasons)

    @property
    def only_conflicted(self) -> bool:
        """A conflict and no refusal by a condition: the same request may simply go again."""
        return self.conflicted and not any(r.code == "ConditionalCheckFailed" for r in self.reasons)


def transact(actions: list[dict[str, Any]]) -> None:
    """One TransactWriteItems: `actions` are {"Put"|"Update"|"Delete"|"ConditionCheck": {...}}
    with Python values in ExpressionAttributeValues/Item; every condition returns ALL_OLD.

    Tried again while it only collided with another writer of the same items: DynamoDB
    cancels a transaction with `TransactionConflict` (writing nothing) when another one is
    changing one of its items at that moment; shared counters (a business's, an account's)
    and a till's staff item meet there under concurrency. A refusal by a condition, or a
    conflict on the last attempt, raises `TransactionCancelled`.
    """
    wire = []
    for action in actions:
        ((kind, op),) = action.items()
        op = dict(op, TableName=config.TABLE_NAME)
        if "Item" in op:
            op["Item"] = to_item(op["Item"])
        if "ExpressionAttributeValues" in op:
            op["ExpressionAttributeValues"] = to_item(op["ExpressionAttributeValues"])
        if "ConditionExpression" in op:
            op["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        wire.append({kind: op})
    _through_conflicts(
        lambda: _transact_once(wire),
        lambda error: isinstance(error, TransactionCancelled) and error.only_conflicted,
    )


def _transact_once(wire: list[dict[str, Any]]) -> None:
    try:
        client().transact_write_items(TransactItems=wire)
    except ClientError as error:
        if error.response["Error"]["Code"] != "TransactionCanceledException":
            raise
        raw = error.response.get("CancellationReasons") or []
        reasons = [Reason(r.get("Code"), from_item(r.get("Item"))) for r in raw]
        raise TransactionCancelled(reasons) from error


# ------------------------------------------------------------------ queries and cursors


class ForeignCursor(ValueError):
    """A cursor this list did not issue (forged, or from another list or filter)."""


def _encode_cursor(scope: str, last_key: dict[str, Any]) -> str:
    plain = {k: v["S"] for k, v in last_key.items()}
    raw = json.dumps({"s": scope, "k": plain}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode_cursor(scope: str, cursor: str, partition: tuple[str, str]) -> dict[str, Any]:
    """A cursor back to an ExclusiveStartKey; a cursor from any other list is a 400."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        plain = data["k"]
        ok = (
            data["s"] == scope
            and isinstance(plain, dict)
            and plain.get(partition[0]) == partition[1]
            and set(plain) <= {"pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"}
            and all(isinstance(v, str) and len(v) <= 1024 for v in plain.values())
        )
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise ForeignCursor()
    return {k: {"S": v} for k, v in plain.items()}


def query(
    partition: tuple[str, str],
    *,
    index: str | None = None,
    sort_prefix: str | None = None,
    sort_between: tuple[str, str] | None = None,
    newest_first: bool = False,
    limit: int | None = None,
    cursor: str | None = None,
    keep: Any = None,
    list_tag: str = "",
    consistent: bool = False,
) -> tuple[list[dict[str, Any]], str | None]:
    """Items of one partition (table or GSI), in sort-key order, a page at a time.

    `keep` is an optional Python predicate applied after reading (pages are refilled until
    `limit` items pass); `list_tag` names that filter, so a cursor of one filtered list is
    refused by another (ForeignCursor). `consistent` reads the table strongly (not a GSI).
    Returns (items, next_cursor or None).
    """
    pk_attr, pk_value = partition
    sk_attr = pk_attr[:-2] + "sk"
    expression = "#pk = :pk"
    names = {"#pk": pk_attr}
    values: dict[str, Any] = {":pk": pk_value}
    if sort_prefix is not None:
        expression += " AND begins_with(#sk, :prefix)"
        names["#sk"] = sk_attr
        values[":prefix"] = sort_prefix
    elif sort_between is not None:
        expression += " AND #sk BETWEEN :lo AND :hi"
        names["#sk"] = sk_attr
        values[":lo"], values[":hi"] = sort_between
    scope = f"{index or 'table'}:{pk_value}:{list_tag}"
    kwargs: dict[str, Any] = {
        "TableName": config.TABLE_NAME,
        "KeyConditionExpression": expression,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": to_item(values),
        "ScanIndexForward": not newest_first,
    }
    if index:
        kwargs["IndexName"] = index
    elif consistent:
        kwargs["ConsistentRead"] = True
    if cursor:
        start = kwargs["ExclusiveStartKey"] = _decode_cursor(scope, cursor, partition)
        resume_at = start.get(sk_attr, {}).get("S", "")
        if sort_between is not None and resume_at < sort_between[0]:
            # A range that moves with time (e.g. "not expired yet") may have left the cursor
            # behind; DynamoDB refuses a start key outside the range, so widen it to the
            # cursor (the caller's `keep` drops what fell out of the range meanwhile).
            values[":lo"] = resume_at
            kwargs["ExpressionAttributeValues"] = to_item(values)
    items: list[dict[str, Any]] = []
    while True:
        if limit is not None:
            kwargs["Limit"] = max(limit - len(items), 1) if keep is None else max(limit, 25)
        try:
            resp = client().query(**kwargs)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ValidationException" and cursor:
                raise ForeignCursor() from error
            raise
        for raw in resp.get("Items", []):
            item = from_item(raw)
            if keep is None or keep(item):
                items.append(item)
                if limit is not None and len(items) == limit:
                    return items, _encode_cursor(scope, _key_of(raw, index))
        last = resp.get("LastEvaluatedKey")
        if not last:
            return items, None
        kwargs["ExclusiveStartKey"] = last


def _key_of(raw: dict[str, Any], index: str | None) -> dict[str, Any]:
    """The start key that resumes a query right after `raw`."""
    attrs = ["pk", "sk"] + ([f"{index}pk", f"{index}sk"] if index else [])
    return {a: raw[a] for a in attrs}

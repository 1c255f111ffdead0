"""TransactWriteItems whose rollback snapshots only the items the transaction touches.

moto backs up a transaction by deep-copying every table it names, on every call, so a
transaction costs O(table size): 55 tx/s at 200 items, 3 tx/s at 4,000 (moto 5.2.5,
measured over loopback; PutItem/GetItem stay near 140/s). A ledger grows with every transaction, so the
local cloud would slow down the longer it is used. Here we keep moto's own
implementation (validation, conditions, `CancellationReasons`) and only swap what it
backs up: before the call we copy the (at most 100) items the transaction names; if
moto cancels the transaction we put exactly those items back. Thread safety comes
from `state_lock` (each DynamoDB call holds the service lock).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.exceptions import (
    MockValidationException,
    MultipleTransactionsException,
    TransactionCanceledException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

from localcloud import dynamodb_streams

_STOCK: Callable[..., None] = DynamoDBBackend.transact_write_items
_in_transaction = threading.local()

# (table name, hash key, range key) -> the item before the transaction, or None if absent
_Snapshot = dict[tuple[str, DynamoType, DynamoType | None], Item | None]


class _TableCopySkipper:
    """Stands in for the `copy` module inside moto.dynamodb.models.

    While our transaction wrapper runs, moto's `copy.deepcopy(table)` returns the table
    itself (its later "restore" then reassigns the same object: a no-op). Every other
    deepcopy, and every deepcopy outside a transaction, is the real one.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        if isinstance(value, Table) and getattr(_in_transaction, "active", False):
            return value
        return copy.deepcopy(value, memo)


def _item_key(table: Table, op_type: str, op: dict[str, Any]) -> tuple[Any, Any] | None:
    attrs = op.get("Item") if op_type == "Put" else op.get("Key")
    if not isinstance(attrs, dict) or table.hash_key_attr not in attrs:
        return None  # malformed: moto refuses it before writing anything
    hash_value = DynamoType(attrs[table.hash_key_attr])
    range_value = None
    if table.range_key_attr is not None:
        if table.range_key_attr not in attrs:
            return None
        range_value = DynamoType(attrs[table.range_key_attr])
    return hash_value, range_value


def _snapshot(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> _Snapshot:
    snapshot: _Snapshot = {}
    for entry in transact_items:
        if len(entry) != 1:
            continue
        op_type, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName")) if isinstance(op, dict) else None
        if table is None:
            continue
        key = _item_key(table, op_type, op)
        if key is None:
            continue
        full_key = (table.name, *key)
        if full_key not in snapshot:
            snapshot[full_key] = copy.deepcopy(table.get_item(*key))
    return snapshot


def _restore(backend: DynamoDBBackend, snapshot: _Snapshot) -> None:
    for (table_name, hash_value, range_value), item in snapshot.items():
        table = backend.tables[table_name]
        if range_value is None:
            if item is None:
                table.items.pop(hash_value, None)
            else:
                table.items[hash_value] = item
        else:
            partition = table.items[hash_value]
            if item is None:
                partition.pop(range_value, None)
                if not partition:
                    del table.items[hash_value]
            else:
                partition[range_value] = item


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto's TransactWriteItems, backing up only the touched items instead of whole tables.

    A cancelled transaction also takes back the stream records its first actions wrote
    (moto writes them as it goes; DynamoDB writes none for a cancelled transaction).
    """
    snapshot = _snapshot(self, transact_items)
    streams = dynamodb_streams.stream_lengths(self.tables)
    _in_transaction.active = True
    try:
        _STOCK(self, transact_items)
    except (
        TransactionCanceledException,
        MultipleTransactionsException,
        MockValidationException,
    ):
        _restore(self, snapshot)
        dynamodb_streams.roll_back(self.tables, streams)
        raise
    finally:
        _in_transaction.active = False


def install() -> None:
    """Use the item-level rollback in every DynamoDB backend of this process."""
    dynamodb_models.copy = _TableCopySkipper()  # type: ignore[assignment]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def uninstall() -> None:
    """Back to moto's stock whole-table copy (for side-by-side tests and the benchmark)."""
    dynamodb_models.copy = copy  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = _STOCK  # type: ignore[method-assign]


def installed() -> bool:
    """Whether the item-level rollback is active."""
    return DynamoDBBackend.transact_write_items is transact_write_items

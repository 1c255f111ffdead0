"""DynamoDB's `TransactionConflict`, on purpose, for tests on moto (which never raises it).

    collided = conflict_once(monkeypatch, "transact_write_items")
    ...                                   # the first transaction meets another writer
    assert collided                       # and the code under test tried again

DynamoDB cancels a write that meets a transaction in flight on one of its items, and writes
nothing: a transaction fails with `TransactionCanceledException` whose reasons say
`TransactionConflict`; a single-item write fails with `TransactionConflictException`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from backend.dal import dynamodb as db


def _conflict(operation: str, kwargs: dict[str, Any]) -> ClientError:
    if operation == "transact_write_items":
        reasons = [{"Code": "TransactionConflict"} for _ in kwargs["TransactItems"]]
        return ClientError(
            {
                "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                "CancellationReasons": reasons,
            },
            "TransactWriteItems",
        )
    return ClientError(
        {"Error": {"Code": "TransactionConflictException", "Message": "in flight"}}, operation
    )


def conflict_once(
    monkeypatch: pytest.MonkeyPatch,
    operation: str,
    when: Callable[[dict[str, Any]], bool] = lambda _: True,
) -> list[dict[str, Any]]:
    """The DynamoDB client, except that the first `operation` call that `when` accepts fails
    as a conflict; returns the list of the calls that did (one, once it has happened)."""
    real = db.client()
    collided: list[dict[str, Any]] = []

    def once(**kwargs: Any) -> Any:
        if not collided and when(kwargs):
            collided.append(kwargs)
            raise _conflict(operation, kwargs)
        return getattr(real, operation)(**kwargs)

    class Client:
        def __getattr__(self, name: str) -> Any:
            return once if name == operation else getattr(real, name)

    client = Client()
    monkeypatch.setattr(db, "client", lambda: client)
    return collided

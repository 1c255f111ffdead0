"""Counters behind the per-caller limits: one item per (limit, subject, time window).

Spending is one conditional UpdateItem (or, for several counters at once, one
TransactWriteItems, tried again when it only met another writer of a shared counter): "add
one unless the window's allowance is spent", so a limit holds
under any concurrency in one round trip, and an old window's item simply stops being
read (TTL removes it later).
"""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import ClientError

from backend.dal import dynamodb as db
from backend.dal import keys


@dataclass(frozen=True)
class Counter:
    """One window of one limit for one subject."""

    name: str
    subject: str
    window_start: int
    window_end: int
    allowance: int

    @property
    def pk(self) -> str:
        return keys.limit(self.name, self.subject)

    @property
    def sk(self) -> str:
        return keys.window(self.window_start)

    @property
    def values(self) -> dict[str, int]:
        return {":zero": 0, ":one": 1, ":end": self.window_end, ":max": self.allowance}


_ADD_ONE = "SET n = if_not_exists(n, :zero) + :one, expires_at = :end"
_ROOM_LEFT = "attribute_not_exists(n) OR n < :max"


def take(counters: list[Counter]) -> list[Counter]:
    """Take one from each counter, all or none; returns the counters that were spent."""
    if len(counters) == 1:
        counter = counters[0]
        try:
            db.update(counter.pk, counter.sk, _ADD_ONE, counter.values, condition=_ROOM_LEFT)
        except ClientError as error:
            if db.is_condition_failure(error):
                return counters
            raise
        return []
    updates = [
        {
            "Update": {
                "Key": db.key(c.pk, c.sk),
                "UpdateExpression": _ADD_ONE,
                "ConditionExpression": _ROOM_LEFT,
                "ExpressionAttributeValues": c.values,
            }
        }
        for c in counters
    ]
    try:
        db.transact(updates)
    except db.TransactionCancelled as cancelled:
        spent = [c for i, c in enumerate(counters) if cancelled.failed(i)]
        if spent:
            return spent
        raise
    return []


def give_back(counter: Counter) -> None:
    """Return one taken from `counter` (never below zero)."""
    try:
        db.update(
            counter.pk,
            counter.sk,
            "SET n = n - :one",
            {":one": 1, ":zero": 0},
            condition="n > :zero",
        )
    except ClientError as error:
        if not db.is_condition_failure(error):
            raise

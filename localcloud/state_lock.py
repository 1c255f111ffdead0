"""One re-entrant lock per moto service: every moto call runs under its service's lock.

Why: moto keeps its data in plain dicts with no locking, and the local cloud serves
concurrent requests (gateway threads, moto server threads). Holding the service's lock
for the whole call makes each DynamoDB/Cognito operation atomic, as in AWS, and lets
the persistence layer take a consistent snapshot *between* operations by holding all
locks. Locks are per service and always taken in the order of `SERVICES` when nested
(Cognito's PostConfirmation trigger writes to DynamoDB while Cognito's lock is held),
so they cannot deadlock.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from moto.core.responses import BaseResponse

SERVICES = ("cognito-idp", "secretsmanager", "dynamodb")
_LOCKS: dict[str, threading.RLock] = {name: threading.RLock() for name in SERVICES}
# DynamoDB Streams reads DynamoDB's tables: one lock, so no read lands inside a transaction.
_LOCKS["dynamodbstreams"] = _LOCKS["dynamodb"]
# Calls that change nothing the saver keeps (stream readers poll): not counted.
_UNCOUNTED = {"dynamodbstreams"}
_installed = False
_calls = 0  # moto calls served so far: the saver skips snapshots when nothing happened


def calls() -> int:
    """How many moto calls this process has served (reads included)."""
    return _calls


@contextlib.contextmanager
def all_services_locked() -> Iterator[None]:
    """Hold every service's lock (in the fixed order): no moto call is half done."""
    with contextlib.ExitStack() as stack:
        for name in SERVICES:
            stack.enter_context(_LOCKS[name])
        yield


def install() -> None:
    """Wrap moto's request dispatch so each call holds its service's lock (idempotent)."""
    global _installed
    if _installed:
        return
    original: Callable[..., Any] = BaseResponse.call_action

    def call_action(self: BaseResponse) -> Any:
        global _calls
        if self.service_name not in _UNCOUNTED:
            _calls += 1
        lock = _LOCKS.get(self.service_name or "")
        if lock is None:
            return original(self)
        with lock:
            return original(self)

    BaseResponse.call_action = call_action  # type: ignore[method-assign]
    _installed = True

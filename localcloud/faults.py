"""A fault layer for the local cloud: DynamoDB throttling and transient errors, on purpose.

    python -m localcloud --faults 0.2 [--faults-seed 7]

Off unless that flag is given. When on, each TransactWriteItems that changes a balance
(earn, redeem, reverse: the ones that carry an idempotency record) fails with the given
probability, in one of the ways DynamoDB and Lambda really fail (taking turns):

| kind | written? | what the caller sees |
|---|---|---|
| `throttled` | no | ProvisionedThroughputExceededException: botocore retries it |
| `internal_error` | no | InternalServerError (500): botocore retries it |
| `tx_throttled` | no | TransactionCanceledException, reason ThrottlingError: not retried by botocore, the API answers 500, the client retries |
| `internal_error_after_write` | **yes** | InternalServerError after the write: botocore retries a transaction that already happened |
| `lost_after_write` | **yes** | the write happened but the answer is lost (a Lambda timeout or crash after the commit): the API answers 500, the client retries |

The last two are the dangerous ones: only the idempotency record written in the same
transaction stops a retry from paying twice.

Every other TransactWriteItems (signing up, a till opening a visit, the guess counters,
invitations, settings) is cancelled with the same probability as DynamoDB cancels one that
meets another transaction in flight on one of its items, which the local cloud, running
one DynamoDB call at a time, otherwise never does:

| kind | written? | what the caller sees |
|---|---|---|
| `tx_conflict` | no | TransactionCanceledException, reason TransactionConflict: `backend/dal/dynamodb.py` tries it again |

SES's SendEmail (the notifier's emails) fails with the same probability, in the two ways
it really fails:

| kind | sent? | what the notifier sees |
|---|---|---|
| `ses_throttled` | no | TooManyRequestsException: it gives the email's claim back, Lambda retries the record |
| `ses_lost_after_send` | **yes** | the answer is lost (a read timeout): whether it went out is unknown, so the claim stays and the retry sends nothing |

Every injected fault is logged to stderr as one `FAULT kind=... applied=...` line, so a
test can count them.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ReadTimeoutError
from moto.core.exceptions import JsonRESTError
from moto.dynamodb.exceptions import TransactionCanceledException
from moto.dynamodb.models import DynamoDBBackend
from moto.sesv2.responses import SESV2Response

log = logging.getLogger("epoint.local.faults")

KINDS_BEFORE = ("throttled", "internal_error", "tx_throttled")
KINDS_AFTER = ("internal_error_after_write", "lost_after_write")
CONFLICT = "tx_conflict"
SES_KINDS = ("ses_throttled", "ses_lost_after_send")
_PREFIX = "com.amazonaws.dynamodb.v20120810#"

counts: Counter[str] = Counter()
_conflicted: set[str] = set()  # transactions cancelled as a conflict, not yet tried again
_lock = threading.Lock()
_wrapped: Callable[..., None] | None = None
_wrapped_send: Callable[..., str] | None = None


class _ServerError(JsonRESTError):
    code = 500


class _TooManyRequests(JsonRESTError):
    code = 429


def _throttled() -> Exception:
    return JsonRESTError(
        _PREFIX + "ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded.",
    )


def _internal_error() -> Exception:
    return _ServerError(_PREFIX + "InternalServerError", "Internal server error (injected)")


def _lost() -> Exception:
    # Stands for "the Lambda died after the commit": an error botocore does not retry, so it
    # reaches the handler, the API answers 500, and the client must retry with its key.
    return JsonRESTError(
        _PREFIX + "InjectedLostResponse", "The write happened but its answer was lost (injected)"
    )


def _changes_a_balance(transact_items: list[dict[str, Any]]) -> bool:
    for entry in transact_items:
        put = entry.get("Put") if isinstance(entry, dict) else None
        pk = ((put or {}).get("Item") or {}).get("pk") or {}
        if str(pk.get("S", "")).startswith("IDEMPOTENCY#"):
            return True
    return False


def install(rate: float, seed: int | None = None) -> None:
    """Fail balance-changing transactions with probability `rate` (0 < rate <= 1)."""
    global _wrapped
    if not 0 < rate <= 1:
        raise ValueError("the fault rate must be in (0, 1]")
    if _wrapped is not None:
        return
    inner = DynamoDBBackend.transact_write_items  # the local cloud's item-level rollback
    _wrapped = inner
    chooser = random.Random(seed)

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        if not _changes_a_balance(transact_items):
            # The other transaction has committed by the time the writer tries again: the
            # same request is never cancelled twice in a row.
            request = repr(transact_items)
            with _lock:
                if request in _conflicted:
                    _conflicted.discard(request)
                    conflict = False
                else:
                    conflict = chooser.random() < rate
                    if conflict:
                        _conflicted.add(request)
            if conflict:
                _record(CONFLICT, applied=False)
                raise TransactionCanceledException(
                    [("TransactionConflict", "Transaction is ongoing for the item", None)]
                    * len(transact_items)
                )
            return inner(self, transact_items)
        with _lock:
            # Which transaction fails is random; the kinds take turns, so even a short run
            # sees every kind (the after-write ones are the point of the exercise).
            kind = None
            if chooser.random() < rate:
                kinds = KINDS_BEFORE + KINDS_AFTER
                kind = kinds[sum(counts[k] for k in kinds) % len(kinds)]
        if kind in KINDS_BEFORE:
            _record(kind, applied=False)
            if kind == "throttled":
                raise _throttled()
            if kind == "internal_error":
                raise _internal_error()
            raise TransactionCanceledException(
                [("ThrottlingError", "Throughput exceeds the current capacity.", None)]
                * len(transact_items)
            )
        inner(self, transact_items)
        if kind in KINDS_AFTER:
            _record(kind, applied=True)
            raise _internal_error() if kind == "internal_error_after_write" else _lost()
        return None

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _install_ses(rate, chooser)
    log.warning("fault injection on: %.0f%% of transactions and emails fail", rate * 100)


def _install_ses(rate: float, chooser: random.Random) -> None:
    global _wrapped_send
    inner = SESV2Response.send_email  # the local cloud's SES (localcloud/ses.py)
    _wrapped_send = inner

    def send_email(self: SESV2Response) -> str:
        with _lock:
            kind = None
            if chooser.random() < rate:
                kind = SES_KINDS[sum(counts[k] for k in SES_KINDS) % len(SES_KINDS)]
        if kind == "ses_throttled":
            _record(kind, applied=False)
            raise _TooManyRequests("TooManyRequestsException", "Maximum sending rate exceeded.")
        answer = inner(self)
        if kind == "ses_lost_after_send":
            _record(kind, applied=True)
            raise ReadTimeoutError(endpoint_url="https://email.amazonaws.com (injected)")
        return answer

    SESV2Response.send_email = send_email  # type: ignore[method-assign]


def _record(kind: str, applied: bool) -> None:
    with _lock:
        counts[kind] += 1
    log.info("FAULT kind=%s applied=%s", kind, applied)


def uninstall() -> None:
    """Back to the fault-free transaction and SES."""
    global _wrapped, _wrapped_send
    if _wrapped is not None:
        DynamoDBBackend.transact_write_items = _wrapped  # type: ignore[method-assign]
        _wrapped = None
    if _wrapped_send is not None:
        SESV2Response.send_email = _wrapped_send  # type: ignore[method-assign]
        _wrapped_send = None

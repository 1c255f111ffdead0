"""Failed attempts per caller (guessing a receipt's claim code): one counter item per caller
per time window.

A slot is taken before the code is looked up, with one conditional write ("add one unless
the window's allowance is spent"), so the bound holds under any concurrency; a good code
gives its slot back. An old window's item is simply never read again (TTL removes it).

The per-caller limits of the till-trust work (`LIMIT#<name>#<subject>` / `W#<start>`, the
same layout) will be the one home of every counter; this is the claim's until then.
"""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import ClientError

from backend.dal import dynamodb as db
from backend.dal import keys


@dataclass(frozen=True)
class Slot:
    """One use taken from one subject's window of a limit."""

    name: str
    subject: str
    window_start: int
    window_end: int

    @property
    def key(self) -> tuple[str, str]:
        return keys.limit(self.name, self.subject), keys.window(self.window_start)


def take(slot: Slot, allowance: int) -> bool:
    """Take one use of the window; False (nothing written) when `allowance` are already spent."""
    try:
        db.update(
            *slot.key,
            "SET n = if_not_exists(n, :zero) + :one, expires_at = :end",
            {":zero": 0, ":one": 1, ":end": slot.window_end, ":max": allowance},
            condition="attribute_not_exists(n) OR n < :max",
        )
    except ClientError as error:
        if db.is_condition_failure(error):
            return False
        raise
    return True


def give_back(slot: Slot) -> None:
    """Return one use (the attempt was no failure); never below zero."""
    try:
        db.update(*slot.key, "SET n = n - :one", {":one": 1, ":zero": 0}, condition="n > :zero")
    except ClientError as error:
        if not db.is_condition_failure(error):
            raise

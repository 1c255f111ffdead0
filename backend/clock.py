"""The one clock: everything that asks "what time is it" asks here, so tests can move time."""

from __future__ import annotations

import time
from datetime import UTC, datetime

_offset_seconds = 0.0


def now() -> float:
    """Current epoch time in seconds (float), shifted by any test offset."""
    return time.time() + _offset_seconds


def now_s() -> int:
    """Current epoch time in whole seconds."""
    return int(now())


def now_ms() -> int:
    """Current epoch time in milliseconds."""
    return int(now() * 1000)


def iso(epoch: float | None = None) -> str:
    """ISO 8601 UTC string (second precision, `Z` suffix) for an epoch time; now by default."""
    t = now() if epoch is None else epoch
    return datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def advance(seconds: float) -> None:
    """Move the clock forward (tests only: expiry without sleeping)."""
    global _offset_seconds
    _offset_seconds += seconds


def reset() -> None:
    """Back to real time."""
    global _offset_seconds
    _offset_seconds = 0.0

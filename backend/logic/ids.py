"""Opaque, time-sortable ids (ULID-like): a prefix, 10 base32 chars of ms time, 16 random."""

from __future__ import annotations

import secrets

from backend import clock

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case: sorts like time


def _b32(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, rem = divmod(value, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))


def time_prefix(epoch_ms: int) -> str:
    """The 10-char time part of an id made at `epoch_ms` (for range queries by time)."""
    return _b32(epoch_ms, 10)


def new_id(prefix: str) -> str:
    """A fresh id such as `t_01hx...`; ids made later sort after ids made earlier."""
    return f"{prefix}_{time_prefix(clock.now_ms())}{_b32(secrets.randbits(80), 16)}"

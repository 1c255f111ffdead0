"""Money as a person types and reads it: integer cents in, integer cents out, no floats."""

from __future__ import annotations

import re

_MONEY = re.compile(r"^\s*(\d{1,9})(?:[.,](\d{1,2}))?\s*$")


def parse_cents(text: str) -> int | None:
    """'12.50', '12,5' or '12' as cents (1250, 1250, 1200); None when it is not an amount."""
    match = _MONEY.match(text or "")
    if match is None:
        return None
    units, fraction = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(units) * 100 + int(fraction or "0")


def format_cents(cents: int) -> str:
    """1250 as '12.50'."""
    return f"{cents // 100}.{cents % 100:02d}"

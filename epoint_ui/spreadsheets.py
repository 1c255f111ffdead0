"""CSV files for spreadsheets, written on the state server from the API's pages.

Every download (a business's ledger and members) goes through `csv_text`: one header row,
one row per item, integer points, money as `12.50`, UTC timestamps. A text cell that a
spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or carriage return first)
is kept as text with a leading `'`: a customer named `=HYPERLINK(...)` stays a name in
the owner's spreadsheet (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A value as one CSV cell: text that could run as a formula is quoted with `'`."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(columns: Sequence[tuple[str, str]], rows: Iterable[Mapping[str, Any]]) -> str:
    """`columns` are (key, header) pairs; each row gives its cells by key."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header for _, header in columns])
    for row in rows:
        writer.writerow([cell(row.get(key)) for key, _ in columns])
    return out.getvalue()

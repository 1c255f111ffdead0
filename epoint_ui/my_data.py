"""Download my data: the files a person gets, built from the API's export pages.

`GET /me/export` answers a page at a time (the profile, memberships and roles on every
page, the ledger entries in pages of up to 500), so no single API call outlives its
Lambda however long the history; the state server reads every page and assembles:

- a JSON file with the profile, every membership and role and every ledger entry;
- a CSV file of the ledger, one row per entry (integer cents and points, UTC timestamps:
  data for a spreadsheet, not formatted for reading).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable
from typing import Any

PAGE_SIZE = 500  # the API's largest page: fewest round trips
CSV_COLUMNS = (
    "tx_id",
    "created_at",
    "merchant_id",
    "merchant_name",
    "kind",
    "points",
    "balance_after",
    "amount_cents",
    "reward_name",
    "reverses",
    "reversed_by",
    "reason",
    "visit_id",
)
# A text cell starting with one of these is a formula to a spreadsheet (CSV injection):
# a business named "=HYPERLINK(...)" must stay text in its customers' files.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Fetch = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


async def collect(fetch: Fetch) -> dict[str, Any]:
    """Every page of the export (`fetch(params)` is one GET /me/export) as one document."""
    cursor = None
    entries: list[dict[str, Any]] = []
    while True:
        page = await fetch({"limit": PAGE_SIZE, "cursor": cursor})
        entries.extend(page.get("items") or [])
        cursor = page.get("next_cursor")
        if not cursor:
            return {
                "profile": page.get("profile") or {},
                "memberships": page.get("memberships") or [],
                "roles": page.get("roles") or [],
                "transactions": entries,
            }


def as_json(document: dict[str, Any], exported_at: str) -> str:
    """The whole export as a JSON file (UTF-8, readable)."""
    return json.dumps(
        {"exported_at": exported_at, **document}, ensure_ascii=False, indent=2, sort_keys=False
    )


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def ledger_csv(document: dict[str, Any]) -> str:
    """The ledger entries as CSV, one row each, oldest first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in sorted(document["transactions"], key=lambda e: str(e.get("tx_id", ""))):
        writer.writerow([_cell(entry.get(column)) for column in CSV_COLUMNS])
    return out.getvalue()

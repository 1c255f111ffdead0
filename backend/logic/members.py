"""A business's members and its exports (owner only): who holds a card there, and the
ledger for a date range, a page at a time.

Both read one page per call (at most `config.EXPORT_PAGE_MAX` items), so no call outlives
its Lambda however large the business; the app reads every page and writes the CSV file.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from backend.dal import ledger as store
from backend.dal import merchants as merchant_store
from backend.dal import users
from backend.logic import access, errors, expiry, ids, pages, promotions
from backend.logic.ledger import DELETED_CUSTOMER, public_entry
from loyalty import tiers


def _business(merchant_id: str) -> dict[str, Any]:
    loaded = merchant_store.load(merchant_id, with_rewards=False)
    if loaded is None:
        raise errors.NotFound()
    return loaded[0]


def day_range(
    profile: dict[str, Any], first: date | None, last: date | None
) -> tuple[datetime | None, datetime | None]:
    """The start of `first` and the end of `last` at the business (its time zone), in UTC.

    422 when the range runs backwards.
    """
    if first and last and last < first:
        raise errors.ValidationFailed("to: must be on or after from")
    zone = ZoneInfo(promotions.time_zone_of(profile))
    start = datetime.combine(first, time.min, zone) if first else None
    end = datetime.combine(last + timedelta(days=1), time.min, zone) if last else None
    return start, end


def public_member(
    item: dict[str, Any], profile: dict[str, Any], names: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """A membership as the business sees it."""
    lifetime = int(item.get("lifetime_points") or 0)
    customer_id = str(item.get("customer_id", ""))
    name = (names.get(customer_id) or {}).get("display_name") or "Customer"
    return {
        "customer_id": customer_id,
        # A closed membership's customer deleted their account: the books keep the row.
        "display_name": DELETED_CUSTOMER if item.get("closed_at") else str(name),
        "balance": int(item.get("balance") or 0),
        "lifetime_points": lifetime,
        "tier": tiers.tier_for(lifetime, profile["tiers"])["name"],
        "stamps": int(item.get("stamps") or 0),
        "last_activity_at": item.get("last_activity_at") or item.get("updated_at"),
        "member_since": item.get("created_at"),
        "expiry": expiry.upcoming(item, profile),
    }


def list_members(
    owner_id: str,
    merchant_id: str,
    first: date | None,
    last: date | None,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    """The business's members, by customer; only those last active in [first, last] when
    given (the export of a date range)."""
    access.require_owner(merchant_id, owner_id)
    profile = _business(merchant_id)
    start, end = day_range(profile, first, last)

    def active_then(item: dict[str, Any]) -> bool:
        moment = expiry.epoch_of(item.get("last_activity_at") or item.get("updated_at")) or 0
        return (start is None or moment >= start.timestamp()) and (
            end is None or moment < end.timestamp()
        )

    def read() -> tuple[list[dict[str, Any]], str | None]:
        keep = active_then if (start or end) else None
        tag = f"{first or ''}:{last or ''}"
        return store.merchant_members(merchant_id, limit, cursor, keep=keep, list_tag=tag)

    names: dict[str, dict[str, Any]] = {}

    def read_with_names() -> tuple[list[dict[str, Any]], str | None]:
        items, next_cursor = read()
        names.update(users.profiles([str(i.get("customer_id", "")) for i in items]))
        return items, next_cursor

    return pages.page(read_with_names, lambda item: public_member(item, profile, names))


def export_ledger(
    owner_id: str, merchant_id: str, first: date, last: date, limit: int, cursor: str | None
) -> dict[str, Any]:
    """The business's ledger entries made in [first, last] (its days), oldest first."""
    access.require_owner(merchant_id, owner_id)
    profile = _business(merchant_id)
    start, end = day_range(profile, first, last)
    assert start is not None and end is not None
    lo = "t_" + ids.time_prefix(int(start.timestamp() * 1000))
    # Ids of the last millisecond before `end` and anything after them in that millisecond.
    hi = "t_" + ids.time_prefix(int(end.timestamp() * 1000) - 1) + "~"
    return pages.page(
        lambda: store.entries_page_between(
            merchant_id, lo, hi, limit, cursor, list_tag=f"export:{first}:{last}"
        ),
        public_entry,
    )

"""A business's figures over the last N days, from one Query on its ledger."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from backend import clock
from backend.dal import ledger as store
from backend.logic import access, ids


def merchant_stats(user_id: str, merchant_id: str, days: int) -> dict[str, Any]:
    """Points issued/redeemed, visits, unique and returning customers, stamps, the points
    each promotion added, and a daily series (staff only)."""
    access.require_staff(merchant_id, user_id)
    today = datetime.fromtimestamp(clock.now_s(), UTC).date()
    first_day = today - timedelta(days=days - 1)
    start_ms = int(
        datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC).timestamp() * 1000
    )
    entries = store.entries_between(
        merchant_id,
        "t_" + ids.time_prefix(start_ms),
        "t_" + ids.time_prefix(clock.now_ms() + 1000) + "~",
    )
    daily: dict[str, dict[str, Any]] = {
        (first_day + timedelta(days=i)).isoformat(): {
            "points_issued": 0,
            "points_redeemed": 0,
            "visits": set(),
        }
        for i in range(days)
    }
    visits_by_customer: defaultdict[str, set[str]] = defaultdict(set)
    issued = redeemed = stamps_issued = cards_redeemed = 0
    staff_earns = staff_points = disputed = 0
    by_promotion: dict[str, dict[str, Any]] = {}
    for entry in entries:
        day = daily.get(entry["created_at"][:10])
        if day is None:
            continue
        points = int(entry["points"])
        disputed += bool(entry.get("disputed_at"))
        # Points for the business's own people (customers who are also its staff): an owner
        # watches these, as a staff member could award them to a friend or to themselves.
        if entry.get("customer_is_staff") and entry["kind"] == "earn":
            staff_earns += 1
            staff_points += points
        elif entry.get("customer_is_staff") and entry["kind"] == "reversal" and points < 0:
            staff_points += points
        stamps = int(entry.get("stamps") or 0)
        # Stamps: a purchase's stamp (or its refund); a full card given (or given back).
        if entry["kind"] == "stamp_redeem" or (entry["kind"] == "reversal" and stamps > 0):
            cards_redeemed += 1 if entry["kind"] == "stamp_redeem" else -1
        else:
            stamps_issued += stamps
        if entry.get("promotion_id"):
            # What each promotion added (a refund takes its part back), and on how many purchases.
            promo = by_promotion.setdefault(
                entry["promotion_id"],
                {
                    "promotion_id": entry["promotion_id"],
                    "name": entry.get("promotion_name") or "",
                    "points_issued": 0,
                    "purchases": 0,
                },
            )
            promo["points_issued"] += int(entry.get("promotion_points") or 0)
            promo["purchases"] += 1 if entry["kind"] == "earn" else -1
        if entry["kind"] == "earn":
            issued += points
            day["points_issued"] += points
        elif entry["kind"] == "redeem":
            redeemed += -points
            day["points_redeemed"] += -points
        elif entry["kind"] == "reversal":  # a refund takes back what it undid
            if points < 0:
                issued += points
                day["points_issued"] += points
            else:
                redeemed -= points
                day["points_redeemed"] -= points
        # A purchase claimed with a receipt's code was a visit too (one, whatever its id).
        visit = entry.get("visit_id") or entry.get("claim_id")
        if entry["kind"] in ("earn", "redeem", "stamp_redeem") and visit:
            day["visits"].add(visit)
            visits_by_customer[entry["customer_id"]].add(visit)
    visit_count = Counter(len(v) for v in visits_by_customer.values())
    return {
        "days": days,
        "points_issued": issued,
        "points_redeemed": redeemed,
        "visits": sum(len(v) for v in visits_by_customer.values()),
        "unique_customers": len(visits_by_customer),
        "returning_customers": sum(n for size, n in visit_count.items() if size > 1),
        "staff_customer_earns": staff_earns,
        "staff_customer_points": staff_points,
        "disputed": disputed,
        "stamps_issued": stamps_issued,
        "stamp_cards_redeemed": cards_redeemed,
        "promotions": sorted(by_promotion.values(), key=lambda p: (-p["points_issued"], p["name"])),
        "daily": [
            {
                "date": date,
                "points_issued": d["points_issued"],
                "points_redeemed": d["points_redeemed"],
                "visits": len(d["visits"]),
            }
            for date, d in daily.items()
        ],
    }

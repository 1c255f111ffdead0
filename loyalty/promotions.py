"""Promotions: a business's bonus rules, on a date range, with optional weekdays and a
time-of-day window, read on the business's own clock (its time zone).

A promotion is one of three kinds:
- `multiplier`: the purchase's points times `multiplier_pct` ("double points on Tuesdays
  16:00-18:00" is 200, weekdays [2], 16:00 to 18:00);
- `bonus`: `bonus_points` more on every purchase while it runs;
- `welcome`: `bonus_points` more on a customer's first purchase at the business (they have
  no membership there yet; the API makes that race-safe in the earn transaction).

Dates are whole days in the business's time zone, both included (`ends_on` may be open).
The window runs from its first minute up to, not including, `until` ("16:00"-"18:00" is
16:00 to 17:59); "24:00" ends at midnight. Weekdays are ISO numbers, 1 = Monday. Across a
change to or from summer time the window follows the wall clock: 16:00 is 16:00 local,
whichever UTC instant that is; an hour the clock skips never happens, one it repeats
happens twice.

When several promotions are in force for one purchase, the best one applies: the one that
adds the most points (on a tie, the one that started first, then the lower id). They never
stack, so no number of overlapping promotions, and nobody at the till, can multiply them.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from loyalty import bounds

KINDS: dict[str, str] = {
    "multiplier": "Points multiplier",
    "bonus": "Bonus points on every purchase",
    "welcome": "Welcome bonus (first purchase)",
}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # ISO 1-7
MAX_PROMOTIONS = 20  # per business, running, scheduled and ended together

_TIME = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

Promotion = Mapping[str, Any]


def minute_of_day(text: str | None) -> int | None:
    """'16:30' as 990; '24:00' as 1440; None for anything else."""
    if not isinstance(text, str) or not _TIME.fullmatch(text):
        return None
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def parse_date(text: str | None) -> date | None:
    """'2026-12-01' as a date; None for anything else."""
    if not isinstance(text, str) or not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def local_time(epoch_s: float, time_zone: str) -> datetime:
    """The wall-clock time at the business at an instant."""
    return datetime.fromtimestamp(epoch_s, zoneinfo.ZoneInfo(time_zone))


def problem(p: Promotion) -> str | None:
    """What is wrong with a promotion's rule (kind, amount, dates, weekdays, window) as a
    sentence; None if nothing. Its name is checked like every name (loyalty.bounds)."""
    kind = p.get("kind")
    if kind not in KINDS:
        return "Choose what the promotion gives: a multiplier, bonus points or a welcome bonus."
    # A multiplier has a percent and no bonus; a bonus or welcome bonus the other way round.
    amount, other = ("multiplier_pct", "bonus_points")[:: 1 if kind == "multiplier" else -1]
    bound = bounds.PROMOTION_MULTIPLIER_PCT if kind == "multiplier" else bounds.BONUS_POINTS
    if not _whole(p.get(amount)) or not bound.holds(p[amount]) or p.get(other) is not None:
        return amount_problem(kind)
    starts, ends = parse_date(p.get("starts_on")), p.get("ends_on")
    if starts is None:
        return "Give the first day of the promotion as a date, like 2026-12-01."
    if ends is not None:
        last = parse_date(ends)
        if last is None:
            return "Give the last day of the promotion as a date, like 2027-03-31, or none."
        if last < starts:
            return "The promotion's last day cannot come before its first."
    weekdays = p.get("weekdays") or []
    if (
        not isinstance(weekdays, list | tuple)
        or any(not _whole(d) or not 1 <= d <= 7 for d in weekdays)
        or len(set(weekdays)) != len(weekdays)
    ):
        return "Weekdays are 1 (Monday) to 7 (Sunday), each at most once."
    start, until = p.get("from_time"), p.get("until_time")
    if (start is None) != (until is None):
        return "Give both ends of the time window, or neither (all day)."
    if start is not None:
        first, end = minute_of_day(start), minute_of_day(until)
        if first is None or end is None or first == 24 * 60:
            return "Give the time window as HH:MM, like 16:00 to 18:00."
        if end <= first:
            return "The time window must end after it starts (it cannot run past midnight)."
    return None


def amount_problem(kind: str) -> str:
    """What a promotion of this kind must give, as a sentence."""
    if kind == "multiplier":
        low, high = bounds.PROMOTION_MULTIPLIER_PCT.low, bounds.PROMOTION_MULTIPLIER_PCT.high
        return f"A multiplier is a whole percent from {low} to {high} (200 doubles the points)."
    low, high = bounds.BONUS_POINTS.low, bounds.BONUS_POINTS.high
    return f"A bonus is a whole number of points from {low} to {high:,}."


def _whole(n: Any) -> bool:
    return isinstance(n, int) and not isinstance(n, bool)


def in_force(p: Promotion, local: datetime) -> bool:
    """Whether the promotion runs at this wall-clock time of the business."""
    starts, ends = parse_date(p.get("starts_on")), parse_date(p.get("ends_on"))
    day = local.date()
    if starts is None or day < starts or (ends is not None and day > ends):
        return False
    weekdays = p.get("weekdays") or []
    if weekdays and local.isoweekday() not in weekdays:
        return False
    start, until = minute_of_day(p.get("from_time")), minute_of_day(p.get("until_time"))
    if start is not None and until is not None:
        minute = local.hour * 60 + local.minute
        return start <= minute < until
    return True


def extra_points(p: Promotion, base_points: int, first_visit: bool) -> int:
    """The points the promotion adds to a purchase worth `base_points`."""
    kind = p.get("kind")
    if kind == "multiplier":
        return base_points * int(p["multiplier_pct"]) // 100 - base_points
    if kind == "bonus" or (kind == "welcome" and first_visit):
        return int(p["bonus_points"])
    return 0


def best(
    promotions: Iterable[Promotion], base_points: int, local: datetime, first_visit: bool
) -> tuple[Promotion | None, int]:
    """The promotion that applies to a purchase (the best in force) and what it adds;
    (None, 0) when none adds anything."""
    chosen, most = None, 0
    ranked = sorted(promotions, key=lambda p: (str(p.get("starts_on")), str(p.get("promotion_id"))))
    for p in ranked:
        if not in_force(p, local):
            continue
        extra = extra_points(p, base_points, first_visit)
        if extra > most:
            chosen, most = p, extra
    return chosen, most


def status(p: Promotion, today: date) -> str:
    """'scheduled' (starts later), 'running' (today is within its dates) or 'ended'."""
    starts, ends = parse_date(p.get("starts_on")), parse_date(p.get("ends_on"))
    if starts is not None and today < starts:
        return "scheduled"
    if ends is not None and today > ends:
        return "ended"
    return "running"


def today(epoch_s: float, time_zone: str) -> date:
    """The business's date at an instant."""
    return local_time(epoch_s, time_zone).date()


def current(promotions: Iterable[Promotion], today_here: date) -> list[Promotion]:
    """The promotions that have not ended, soonest first."""
    kept = [p for p in promotions if status(p, today_here) != "ended"]
    return sorted(kept, key=lambda p: (str(p.get("starts_on")), str(p.get("promotion_id"))))


def describe(p: Promotion) -> str:
    """The rule in words: 'x2 points, Tue 16:00-18:00, from 2026-12-01 to 2027-03-31'."""
    kind = p.get("kind")
    if kind == "multiplier":
        pct = int(p.get("multiplier_pct") or 100)
        whole, hundredths = divmod(pct, 100)
        what = f"x{whole}" + (f".{hundredths:02d}".rstrip("0") if hundredths else "") + " points"
    elif kind == "welcome":
        what = f"+{int(p.get('bonus_points') or 0)} points on the first purchase"
    else:
        what = f"+{int(p.get('bonus_points') or 0)} points per purchase"
    weekdays = p.get("weekdays") or []
    when = ", ".join(WEEKDAYS[d - 1] for d in sorted(weekdays)) if weekdays else "every day"
    if p.get("from_time") and p.get("until_time"):
        when += f" {p['from_time']}-{p['until_time']}"
    dates = f"from {p.get('starts_on')}"
    if p.get("ends_on"):
        dates += f" to {p['ends_on']}"
    return f"{what}, {when}, {dates}"

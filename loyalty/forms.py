"""What a person typed into a form, checked against the rules before it is sent.

Each check takes the text of a field (or a few) and returns `(value, None)` with the value
to send to the API, or `(None, sentence)` with what to fix. The API's request models hold
the same bounds (`loyalty.bounds`), so a form never sends what the API would refuse, nor
refuses what it would take.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from loyalty import bounds, catalog, claim_codes, promotions, tiers
from loyalty.bounds import Range
from loyalty.money import format_cents, parse_cents

T = TypeVar("T")
Checked = tuple[T | None, str | None]

_WHOLE = re.compile(r"[0-9]{1,15}")


def whole_number(text: str, bound: Range) -> int | None:
    """'12' as 12 when it is within `bound`; None for anything else ('1.5', '-1', '', '1e3')."""
    text = (text or "").strip()
    if not _WHOLE.fullmatch(text):
        return None
    number = int(text)
    return number if bound.holds(number) else None


def _text(value: str, length: Range, sentence: str) -> Checked[str]:
    text = (value or "").strip()
    if bounds.has_control_characters(text):
        return None, "Use letters, digits and punctuation only (no tabs or control characters)."
    if not length.holds(len(text)):
        return None, sentence
    return text, None


def business_name(value: str) -> Checked[str]:
    """The business's name."""
    high = bounds.NAME_LENGTH.high
    return _text(value, bounds.NAME_LENGTH, f"Give the business a name of up to {high} characters.")


def reward_name(value: str) -> Checked[str]:
    """A reward's name."""
    high = bounds.NAME_LENGTH.high
    return _text(
        value,
        bounds.NAME_LENGTH,
        f"Give the reward a name of up to {high} characters, like Free coffee.",
    )


def description(value: str) -> Checked[str]:
    """A reward's description (may be empty)."""
    high = bounds.DESCRIPTION_LENGTH.high
    return _text(value, bounds.DESCRIPTION_LENGTH, f"Keep the description to {high} characters.")


def display_name(value: str) -> Checked[str]:
    """The name businesses greet a customer by."""
    low, high = bounds.DISPLAY_NAME_LENGTH.low, bounds.DISPLAY_NAME_LENGTH.high
    return _text(value, bounds.DISPLAY_NAME_LENGTH, f"Enter a name of {low} to {high} characters.")


def email_address(value: str) -> Checked[str]:
    """The email address to invite, lower-cased (as the API stores it)."""
    text = (value or "").strip().lower()
    if not bounds.EMAIL_LENGTH.holds(len(text)) or not re.fullmatch(bounds.EMAIL_PATTERN, text):
        return None, "Enter their email address, like sam@example.com."
    return text, None


def category(value: str) -> Checked[str]:
    """One of the categories."""
    if value in catalog.CATEGORIES:
        return value, None
    return None, "Choose one of the categories."


def currency(value: str) -> Checked[str]:
    """One of the currencies."""
    if value in catalog.CURRENCIES:
        return value, None
    return None, "Choose one of the currencies."


def earning_rule(points_per_unit: str, min_purchase: str) -> Checked[dict[str, int]]:
    """The earning rule from its two fields: points per currency unit, and the minimum purchase."""
    per_unit = whole_number(points_per_unit, bounds.POINTS_PER_UNIT)
    if per_unit is None:
        low, high = bounds.POINTS_PER_UNIT.low, bounds.POINTS_PER_UNIT.high
        return None, f"Points per currency unit must be a whole number from {low} to {high}."
    minimum = parse_cents(min_purchase)
    if minimum is None or not bounds.MIN_PURCHASE_CENTS.holds(minimum):
        high = format_cents(bounds.MIN_PURCHASE_CENTS.high)
        return None, f"Enter the minimum purchase as an amount up to {high}, like 5 or 4.50."
    return {"points_per_unit": per_unit, "min_purchase_cents": minimum}, None


def tier_list(rows: Sequence[Mapping[str, str]]) -> Checked[list[dict[str, Any]]]:
    """The tiers from the form's rows (name, threshold, multiplier_pct as typed), in order."""
    checked = []
    for n, row in enumerate(rows, start=1):
        name, _ = _text(row.get("name", ""), bounds.NAME_LENGTH, "")
        threshold = whole_number(row.get("threshold", ""), bounds.THRESHOLD)
        pct = whole_number(row.get("multiplier_pct", ""), bounds.MULTIPLIER_PCT)
        if name is None or threshold is None or pct is None:
            return None, (
                f"Tier {n} needs a name of up to {bounds.NAME_LENGTH.high} characters, "
                f"a number of points from {bounds.THRESHOLD.low} to {bounds.THRESHOLD.high:,} "
                f"and a multiplier from {bounds.MULTIPLIER_PCT.low} to "
                f"{bounds.MULTIPLIER_PCT.high} percent."
            )
        checked.append({"name": name, "threshold": threshold, "multiplier_pct": pct})
    problem = tiers.problem([t["threshold"] for t in checked])
    return (None, problem) if problem else (checked, None)


def reward_cost(text: str) -> Checked[int]:
    """A reward's cost in points."""
    cost = whole_number(text, bounds.POINTS)
    if cost is None:
        low, high = bounds.POINTS.low, bounds.POINTS.high
        return None, f"The cost must be a whole number of points from {low} to {high:,}."
    return cost, None


def purchase_amount(text: str) -> Checked[int]:
    """The purchase total typed at the till, in cents."""
    cents = parse_cents(text)
    if cents is None or not bounds.AMOUNT_CENTS.holds(cents):
        high = format_cents(bounds.AMOUNT_CENTS.high)
        return None, f"Enter the purchase total, like 12.50 (at most {high})."
    return cents, None


def staff_limits(max_purchase: str, daily_points: str) -> Checked[dict[str, int]]:
    """The owner's limits for staff: the largest purchase (an amount), the points per day."""
    cents = parse_cents(max_purchase)
    if cents is None or not bounds.STAFF_MAX_PURCHASE_CENTS.holds(cents):
        high = format_cents(bounds.STAFF_MAX_PURCHASE_CENTS.high)
        return (
            None,
            f"Enter the largest purchase staff may award as an amount up to {high}, like 500.",
        )
    points = whole_number(daily_points, bounds.STAFF_DAILY_POINTS)
    if points is None:
        high = bounds.STAFF_DAILY_POINTS.high
        return None, f"Points staff may award per day must be a whole number from 0 to {high:,}."
    return {"max_purchase_cents": cents, "daily_points": points}, None


def time_zone(value: str) -> Checked[str]:
    """One of the time zones (an IANA name, like Europe/Berlin)."""
    if catalog.is_time_zone(value):
        return value, None
    return None, "Choose the time zone the business is in, like Europe/Berlin."


def stamp_card(
    active: bool, stamps_needed: str, min_purchase: str, reward: str, replaces_points: bool
) -> Checked[dict[str, Any]]:
    """The stamp card from its fields: how many stamps make the free reward, the minimum
    purchase for a stamp, what the reward is, and whether the card replaces points."""
    needed = whole_number(stamps_needed, bounds.STAMPS_NEEDED)
    if needed is None:
        low, high = bounds.STAMPS_NEEDED.low, bounds.STAMPS_NEEDED.high
        return None, f"A full card is a whole number of stamps from {low} to {high}."
    minimum = parse_cents(min_purchase)
    if minimum is None or not bounds.MIN_PURCHASE_CENTS.holds(minimum):
        high = format_cents(bounds.MIN_PURCHASE_CENTS.high)
        return (
            None,
            f"Enter the minimum purchase for a stamp as an amount up to {high}, like 0 or 3.50.",
        )
    name, problem = _text(
        reward,
        bounds.NAME_LENGTH,
        f"Name the free reward in up to {bounds.NAME_LENGTH.high} characters, like Free coffee.",
    )
    if name is None:
        return None, problem
    return {
        "active": bool(active),
        "stamps_needed": needed,
        "min_purchase_cents": minimum,
        "reward_name": name,
        "replaces_points": bool(replaces_points),
    }, None


def promotion(
    name: str,
    kind: str,
    amount: str,
    starts_on: str,
    ends_on: str,
    weekdays: Sequence[int],
    from_time: str,
    until_time: str,
) -> Checked[dict[str, Any]]:
    """A promotion from its form: `amount` is the multiplier in percent for a multiplier,
    the bonus points otherwise; an empty last day runs on, an empty window is all day."""
    checked_name, problem = _text(
        name,
        bounds.NAME_LENGTH,
        f"Give the promotion a name of up to {bounds.NAME_LENGTH.high} characters, "
        "like Double Tuesdays.",
    )
    if checked_name is None:
        return None, problem
    bound = bounds.PROMOTION_MULTIPLIER_PCT if kind == "multiplier" else bounds.BONUS_POINTS
    number = whole_number(amount, bound)
    rule: dict[str, Any] = {
        "name": checked_name,
        "kind": kind,
        "multiplier_pct": number if kind == "multiplier" else None,
        "bonus_points": None if kind == "multiplier" else number,
        "starts_on": (starts_on or "").strip(),
        "ends_on": (ends_on or "").strip() or None,
        "weekdays": sorted(int(d) for d in weekdays),
        "from_time": (from_time or "").strip() or None,
        "until_time": (until_time or "").strip() or None,
    }
    if number is None and kind in promotions.KINDS:
        return None, promotions.amount_problem(kind)
    problem = promotions.problem(rule)
    return (None, problem) if problem else (rule, None)


def min_tier(value: str, tier_names: Sequence[str]) -> Checked[str]:
    """The tier a reward needs ('' for none: every customer may redeem it)."""
    if value == "" or value in tier_names:
        return value, None
    return None, "Choose one of the business's tiers, or none."


def expiry_months(text: str) -> Checked[int | None]:
    """The expiry policy: months without activity before points expire; empty = never."""
    if not (text or "").strip():
        return None, None
    months = whole_number(text, bounds.EXPIRY_MONTHS)
    if months is None:
        low, high = bounds.EXPIRY_MONTHS.low, bounds.EXPIRY_MONTHS.high
        return None, (
            f"Points expire after {low} to {high} months without a visit; leave it empty "
            "for points that never expire."
        )
    return months, None


def adjustment(direction: str, points: str, reason: str, note: str) -> Checked[dict[str, Any]]:
    """An owner's adjustment: add or remove a number of points, why, and a note."""
    amount = whole_number(points, bounds.POINTS)
    if direction not in ("add", "remove") or amount is None:
        low, high = bounds.POINTS.low, bounds.POINTS.high
        return None, f"Enter the points to add or remove, a whole number from {low} to {high:,}."
    if reason not in catalog.ADJUSTMENT_REASONS:
        return None, "Choose why: " + " or ".join(catalog.ADJUSTMENT_REASONS.values()).lower() + "."
    text, problem = description(note)
    if problem:
        return None, f"Keep the note to {bounds.DESCRIPTION_LENGTH.high} characters."
    signed = amount if direction == "add" else -amount
    return {"points": signed, "reason": reason, "note": text}, None


def claim_code(typed: str) -> Checked[str]:
    """A receipt's claim code, as issued (spaces, dashes and case do not matter)."""
    code = claim_codes.normalize(typed)
    if code is None:
        return None, (
            f"Type the {claim_codes.LENGTH} letters and digits printed on your receipt, "
            "like 7K3M-Q9XA-2HPD."
        )
    return code, None


def date_range(first: str, last: str) -> Checked[tuple[str, str]]:
    """An export's days, `YYYY-MM-DD` each (as a date input gives them), the last not before
    the first."""
    try:
        start, end = (
            date.fromisoformat((first or "").strip()),
            date.fromisoformat((last or "").strip()),
        )
    except ValueError:
        return None, "Choose the first and the last day."
    if end < start:
        return None, "The last day must not be before the first."
    return (start.isoformat(), end.isoformat()), None

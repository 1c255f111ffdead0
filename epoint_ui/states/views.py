"""What the customer pages show, shaped from the API's answers (plain data, no I/O)."""

from __future__ import annotations

import dataclasses
from typing import Any

from epoint_ui.formatting import Reader
from loyalty import catalog, stamps
from loyalty import promotions as promotion_rules
from loyalty import tiers as tier_rules

ENGLISH_UTC = Reader()  # who reads when the page did not say (tests, defaults)
CATEGORY_LABELS = catalog.CATEGORIES


def category_label(category: str) -> str:
    """A category as a person reads it."""
    return CATEGORY_LABELS.get(category, category.title())


def expiry_line(
    expiry: dict[str, Any] | None, shown: Reader = ENGLISH_UTC, *, with_year: bool = True
) -> str:
    """An Expiry (docs/api.md) in words: '120 points expire on 3 March 2027'; '' for none."""
    if not expiry:
        return ""
    n = int(expiry.get("points") or 0)
    when_ = shown.calendar_day(expiry.get("expires_on"), with_year=with_year)
    return f"{n} point{'' if n == 1 else 's'} expire{'s' if n == 1 else ''} on {when_}"


def points(n: int) -> str:
    """Signed points: '+12 points', '-100 points', '1 point'."""
    sign = "+" if n > 0 else ""
    return f"{sign}{n} point{'' if abs(n) == 1 else 's'}"


def stamp_line(moved: int, after: int, needed: int) -> str:
    """Stamps moved and where the card is: '+1 stamp (7/10)', '+1 stamp (10/10): card full',
    '-10 stamps (a free reward)', '-1 stamp (6/10)'."""
    filled = stamps.on_card(after, needed)
    what = f"{moved:+d} stamp{'' if abs(moved) == 1 else 's'}"
    if moved < 0 and -moved == needed:
        return f"{what} (a full card)"
    line = f"{what} ({filled}/{needed})"
    return line + (": card full" if moved > 0 and filled == needed else "")


def change_detail(tx: dict[str, Any]) -> str:
    """What a ledger entry adds to its points, as the till's receipt, the ledger and the
    history say it: the promotion that applied, the stamps it moved ('Double Tuesdays: +12
    points · +1 stamp (7/10)'); a stamp card's reward says its stamps itself."""
    parts = []
    if tx.get("promotion_name") and int(tx.get("promotion_points") or 0):
        parts.append(f"{tx['promotion_name']}: {int(tx['promotion_points']):+d} points")
    moved = int(tx.get("stamps") or 0)
    if moved and tx.get("stamps_needed") and tx.get("kind") != "stamp_redeem":
        parts.append(stamp_line(moved, int(tx.get("stamps_after") or 0), int(tx["stamps_needed"])))
    return " · ".join(parts)


def activity_line(entry: dict[str, Any]) -> str:
    """One change in a visit as the customer reads it: '+24 points (Double Tuesdays), +1 stamp
    (7/10)', '100 points redeemed', 'Free coffee from your stamp card'."""
    kind, n = entry.get("kind"), int(entry.get("points") or 0)
    moved = int(entry.get("stamps") or 0)
    if kind == "stamp_redeem":
        return f"{entry.get('reward_name') or 'A free reward'} from your stamp card"
    parts = []
    if kind == "redeem":
        parts.append(f"{abs(n)} points redeemed")
    elif n or not moved:
        parts.append(
            points(n) + (f" ({entry['promotion_name']})" if entry.get("promotion_name") else "")
        )
    if moved and entry.get("stamps_needed"):
        parts.append(
            stamp_line(moved, int(entry.get("stamps_after") or 0), int(entry["stamps_needed"]))
        )
    return ", ".join(parts)


def scan_messages(answer: dict[str, Any]) -> tuple[str, str]:
    """What My code says once a till scanned it (`GET /qr-tokens/{id}`): what happened in the
    visit, and the balance (and stamps) there now."""
    merchant = (answer.get("merchant") or {}).get("name") or "a business"
    parts = [activity_line(entry) for entry in answer.get("activity") or []]
    said = f"Scanned at {merchant}" + (f": {', '.join(parts)}" if parts else "")
    balance = answer.get("balance")
    left = f"Your balance at {merchant}: {balance} points" if balance is not None else ""
    return said, left


@dataclasses.dataclass
class WalletCard:
    """One business in the wallet."""

    merchant_id: str = ""
    name: str = ""
    category: str = ""
    balance: int = 0
    tier: str = ""
    next_tier: str = ""
    points_needed: int = 0
    progress_pct: int = 100
    rewards: list[str] = dataclasses.field(default_factory=list)
    expiry_notice: str = ""  # '120 points expire on 3 March', within the notice period
    locked: list[str] = dataclasses.field(default_factory=list)
    promotions: list[str] = dataclasses.field(default_factory=list)
    stamp_slots: list[bool] = dataclasses.field(default_factory=list)
    stamps_text: str = ""


def _stamp_card(m: dict[str, Any]) -> tuple[list[bool], str]:
    """The membership's stamp card as slots (filled or not) and a sentence; none without one."""
    card = m.get("stamp_card") or {}
    held = int(m.get("stamps") or 0)
    if not card or (not card.get("active", True) and not held):
        return [], ""
    needed = int(card["stamps_needed"])
    filled = stamps.on_card(held, needed)
    text = f"{filled} of {needed} stamps towards a {card['reward_name']}"
    ready = stamps.rewards_ready(held, needed)
    if ready:
        text = f"Your {card['reward_name']} is free: show your code at the till" + (
            f" ({ready} cards full)" if ready > 1 else ""
        )
    if not card.get("active", True):
        text += " (the card is paused)"
    return [n < filled for n in range(needed)], text


def wallet_card(m: dict[str, Any], shown: Reader = ENGLISH_UTC) -> WalletCard:
    """A Membership (docs/api.md) as a wallet card."""
    tier = m.get("tier") or {}
    nxt = m.get("next_tier") or None
    lifetime = int(m.get("lifetime_points") or 0)
    slots, stamps_text = _stamp_card(m)
    return WalletCard(
        merchant_id=str(m.get("merchant_id", "")),
        name=str(m.get("merchant_name", "")),
        category=category_label(str(m.get("category", ""))),
        balance=int(m.get("balance") or 0),
        tier=str(tier.get("name", "")),
        next_tier=str(nxt.get("name", "")) if nxt else "",
        points_needed=int(nxt.get("points_needed") or 0) if nxt else 0,
        progress_pct=tier_rules.progress_pct(lifetime, tier, nxt),
        rewards=[
            f"{r.get('name', '')} ({r.get('cost_points', 0)} points)"
            for r in m.get("affordable_rewards") or []
        ],
        locked=[
            f"{r.get('name', '')} ({r.get('cost_points', 0)} points): {r.get('locked_reason', '')}"
            for r in m.get("locked_rewards") or []
        ],
        promotions=[
            f"{p.get('name', '')}: {promotion_rules.describe(p)}" for p in m.get("promotions") or []
        ],
        stamp_slots=slots,
        stamps_text=stamps_text,
        expiry_notice=_expiry_notice(m.get("expiry"), shown),
    )


def _expiry_notice(expiry: dict[str, Any] | None, shown: Reader) -> str:
    """The wallet's warning, once the date is near (the API says when: `notice`)."""
    if not expiry or not expiry.get("notice"):
        return ""
    return expiry_line(expiry, shown, with_year=False) + ". A visit before then keeps them."


@dataclasses.dataclass
class HistoryRow:
    """One ledger entry in the history."""

    tx_id: str = ""
    business: str = ""
    title: str = ""
    detail: str = ""
    points: str = ""
    positive: bool = True
    when: str = ""
    balance_after: int = 0
    reversed: bool = False
    merchant_id: str = ""
    # A redemption the customer can report as not theirs (the business's owner sees it).
    disputable: bool = False
    disputed: bool = False


def history_row(
    t: dict[str, Any], by_id: dict[str, dict[str, Any]], reader: Reader, currency: str
) -> HistoryRow:
    """A Transaction as a history row, money and times as `reader` reads them (`currency`:
    the business's); reversals name what they reverse."""
    kind = t.get("kind")
    amount = t.get("amount_cents")
    if kind == "earn":
        title = "Purchase (receipt code)" if t.get("claim_id") else "Purchase"
        detail = f"Spent {reader.money(int(amount), currency)}" if amount else ""
    elif kind == "redeem":
        title = f"Reward: {t.get('reward_name')}" if t.get("reward_name") else "Points redeemed"
        detail = ""
    elif kind == "stamp_redeem":
        title = f"Stamp card: {t.get('reward_name') or 'a free reward'}"
        detail = ""
    elif kind == "closure":
        title, detail = "Account closed", "The balance was closed when the account was deleted"
    elif kind == "adjustment":
        reason = catalog.ADJUSTMENT_REASONS.get(str(t.get("reason")), "Adjustment")
        title = f"Adjusted by the business: {reason.lower()}"
        detail = str(t.get("note") or "")
    elif kind == "expiry":
        title = "Points expired"
        detail = "No visit for a while: the business's points expire after a time without one."
    else:
        original = by_id.get(str(t.get("reverses") or ""))
        title = "Refund"
        if original:
            what = {"earn": "purchase", "stamp_redeem": "stamp card reward"}.get(
                str(original.get("kind")), "redemption"
            )
            detail = f"Reverses the {what} of {reader.moment(original.get('created_at'))}"
        else:
            detail = "Reverses an earlier entry"
    detail = " · ".join(x for x in (detail, change_detail(t)) if x)
    n, moved = int(t.get("points") or 0), int(t.get("stamps") or 0)
    shown, positive = points(n), n >= 0
    if not n and moved:  # a stamp card's reward, or a stamps-only purchase
        shown, positive = f"{moved:+d} stamp{'' if abs(moved) == 1 else 's'}", moved >= 0
    return HistoryRow(
        tx_id=str(t.get("tx_id", "")),
        business=str(t.get("merchant_name", "")),
        title=title,
        detail=detail,
        points=shown,
        positive=positive,
        when=reader.moment(t.get("created_at")),
        balance_after=int(t.get("balance_after") or 0),
        reversed=bool(t.get("reversed_by")),
        merchant_id=str(t.get("merchant_id", "")),
        disputable=kind == "redeem" and not t.get("reversed_by") and not t.get("disputed_at"),
        disputed=bool(t.get("disputed_at")),
    )


@dataclasses.dataclass
class Business:
    """One business in the directory."""

    merchant_id: str = ""
    name: str = ""
    category: str = ""
    earning: str = ""
    rewards: list[str] = dataclasses.field(default_factory=list)
    programs: list[str] = dataclasses.field(default_factory=list)


def business(m: dict[str, Any], reader: Reader) -> Business:
    """A Merchant as a directory entry, with its earning rule in words (money as `reader`
    reads it)."""
    rule = m.get("earning_rule") or {}
    per = int(rule.get("points_per_unit") or 1)
    currency = str(m.get("currency") or "EUR")
    earning = f"{per} point{'s' if per != 1 else ''} per {reader.money(100, currency)} spent"
    minimum = int(rule.get("min_purchase_cents") or 0)
    if minimum:
        earning += f" (purchases from {reader.money(minimum, currency)})"
    return Business(
        merchant_id=str(m.get("merchant_id", "")),
        name=str(m.get("name", "")),
        category=category_label(str(m.get("category", ""))),
        earning=earning,
        rewards=[
            f"{r.get('name', '')}: {r.get('cost_points', 0)} points"
            + (f" ({r['min_tier']} members only)" if r.get("min_tier") else "")
            for r in m.get("rewards") or []
            if r.get("active", True)
        ],
        programs=_programs(m),
    )


def _programs(m: dict[str, Any]) -> list[str]:
    """The business's stamp card and promotions, in words."""
    card = m.get("stamp_card") or {}
    lines = []
    if card.get("active"):
        lines.append(
            f"Stamp card: {card['stamps_needed']} stamps for a {card['reward_name']}"
            + (" (instead of points)" if card.get("replaces_points") else "")
        )
    lines += [
        f"{p.get('name', '')}: {promotion_rules.describe(p)}" for p in m.get("promotions") or []
    ]
    return lines

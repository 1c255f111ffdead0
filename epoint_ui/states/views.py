"""What the customer pages show, shaped from the API's answers (plain data, no I/O)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from loyalty import catalog
from loyalty import tiers as tier_rules

CATEGORY_LABELS = catalog.CATEGORIES


def category_label(category: str) -> str:
    """A category as a person reads it."""
    return CATEGORY_LABELS.get(category, category.title())


def when(iso: str | None) -> str:
    """An API timestamp as a short, readable date and time (UTC)."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return moment.strftime("%d %b %Y, %H:%M")


def day(iso_date: str | None, *, with_year: bool = False) -> str:
    """An API date (`2027-03-03`) as people write it: '3 March' (or '3 March 2027')."""
    try:
        moment = date.fromisoformat(str(iso_date))
    except ValueError:
        return str(iso_date or "")
    text = f"{moment.day} {moment.strftime('%B')}"
    return f"{text} {moment.year}" if with_year else text


def expiry_line(expiry: dict[str, Any] | None, *, with_year: bool = True) -> str:
    """An Expiry (docs/api.md) in words: '120 points expire on 3 March 2027'; '' for none."""
    if not expiry:
        return ""
    n = int(expiry.get("points") or 0)
    when_ = day(expiry.get("expires_on"), with_year=with_year)
    return f"{n} point{'' if n == 1 else 's'} expire{'s' if n == 1 else ''} on {when_}"


def points(n: int) -> str:
    """Signed points: '+12 points', '-100 points', '1 point'."""
    sign = "+" if n > 0 else ""
    return f"{sign}{n} point{'' if abs(n) == 1 else 's'}"


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


def wallet_card(m: dict[str, Any]) -> WalletCard:
    """A Membership (docs/api.md) as a wallet card."""
    tier = m.get("tier") or {}
    nxt = m.get("next_tier") or None
    lifetime = int(m.get("lifetime_points") or 0)
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
        expiry_notice=_expiry_notice(m.get("expiry")),
    )


def _expiry_notice(expiry: dict[str, Any] | None) -> str:
    """The wallet's warning, once the date is near (the API says when: `notice`)."""
    if not expiry or not expiry.get("notice"):
        return ""
    return expiry_line(expiry, with_year=False) + ". A visit before then keeps them."


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


def history_row(t: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> HistoryRow:
    """A Transaction as a history row; reversals name what they reverse."""
    kind = t.get("kind")
    amount = t.get("amount_cents")
    if kind == "earn":
        title = "Purchase (receipt code)" if t.get("claim_id") else "Purchase"
        detail = f"Spent {int(amount) / 100:.2f}" if amount else ""
    elif kind == "redeem":
        title = f"Reward: {t.get('reward_name')}" if t.get("reward_name") else "Points redeemed"
        detail = ""
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
            what = "purchase" if original.get("kind") == "earn" else "redemption"
            detail = f"Reverses the {what} of {when(original.get('created_at'))}"
        else:
            detail = "Reverses an earlier entry"
    n = int(t.get("points") or 0)
    return HistoryRow(
        tx_id=str(t.get("tx_id", "")),
        business=str(t.get("merchant_name", "")),
        title=title,
        detail=detail,
        points=points(n),
        positive=n >= 0,
        when=when(t.get("created_at")),
        balance_after=int(t.get("balance_after") or 0),
        reversed=bool(t.get("reversed_by")),
    )


@dataclasses.dataclass
class Business:
    """One business in the directory."""

    merchant_id: str = ""
    name: str = ""
    category: str = ""
    earning: str = ""
    rewards: list[str] = dataclasses.field(default_factory=list)


def business(m: dict[str, Any]) -> Business:
    """A Merchant as a directory entry, with its earning rule in words."""
    rule = m.get("earning_rule") or {}
    per = int(rule.get("points_per_unit") or 1)
    currency = str(m.get("currency") or "EUR")
    earning = f"{per} point{'s' if per != 1 else ''} per {currency} 1 spent"
    minimum = int(rule.get("min_purchase_cents") or 0)
    if minimum:
        earning += f" (purchases from {currency} {minimum / 100:.2f})"
    return Business(
        merchant_id=str(m.get("merchant_id", "")),
        name=str(m.get("name", "")),
        category=category_label(str(m.get("category", ""))),
        earning=earning,
        rewards=[
            f"{r.get('name', '')}: {r.get('cost_points', 0)} points"
            for r in m.get("rewards") or []
            if r.get("active", True)
        ],
    )

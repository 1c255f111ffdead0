"""Stamp cards: "buy 9, the 10th is free".

A business's card: `{"active": True, "stamps_needed": 10, "reward_name": "Free coffee",
"min_purchase_cents": 0, "replaces_points": False}`. A purchase of at least
`min_purchase_cents` adds one stamp (one earn per visit, so one stamp per visit); with
`stamps_needed` stamps the customer has a free reward, which the till redeems and which
takes `stamps_needed` off (the card restarts). With `replaces_points` the business runs
the card instead of points: purchases earn stamps only.

Stamps are a balance like points, kept on the membership beside them: a stamp beyond a
full card counts towards the next one, a refund takes its stamp back (never below zero),
and the ledger's stamps sum to the membership's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Card = Mapping[str, Any]


def running(card: Card | None) -> bool:
    """Whether the business runs this card now."""
    return bool(card) and bool(card.get("active", True))  # type: ignore[union-attr]


def qualifies(amount_cents: int, card: Card | None) -> bool:
    """Whether a purchase earns a stamp on the card."""
    return running(card) and amount_cents >= int(card.get("min_purchase_cents", 0))  # type: ignore[union-attr]


def rewards_ready(stamps: int, needed: int) -> int:
    """How many full cards (free rewards) the stamps make."""
    return stamps // needed if needed > 0 else 0


def on_card(stamps: int, needed: int) -> int:
    """How many stamps the card shows filled: a full card stays full (10/10) until the next
    stamp starts the next card (1/10)."""
    if stamps <= 0 or needed <= 0:
        return 0
    return stamps - needed * ((stamps - 1) // needed)

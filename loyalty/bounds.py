"""The limits of every input, in one place, so the API and the app cannot drift apart.

`backend/models/requests.py` builds its pydantic constraints from these, and
`loyalty.forms` checks what a person typed against the same ones. A test
(tests/unit/test_rules_agree.py) sends the value at each edge, and one past it, through
both and expects the same verdict; a new `Range` here is picked up by that test.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    """Whole numbers from `low` to `high`, both included."""

    low: int
    high: int

    def holds(self, n: int) -> bool:
        """Whether `n` is within the range."""
        return self.low <= n <= self.high


# The earning rule.
POINTS_PER_UNIT = Range(1, 1000)  # per whole currency unit of a purchase
MIN_PURCHASE_CENTS = Range(0, 10_000_000)  # up to 100,000.00

# Tiers: every customer has one (the first starts at 0 points), each needs more lifetime
# points than the one before, and none earns less than the base rule (x1).
TIER_COUNT = Range(1, 6)
THRESHOLD = Range(0, 100_000_000)  # lifetime points
MULTIPLIER_PCT = Range(100, 500)  # x1.00 to x5.00

# Stamp cards: one stamp per qualifying purchase; this many make a full card (a free reward).
STAMPS_NEEDED = Range(2, 50)

# Promotions: a multiplier on a purchase's points (x1.01 to x10), or a fixed bonus.
PROMOTION_MULTIPLIER_PCT = Range(101, 1000)
BONUS_POINTS = Range(1, 100_000)


# Points expiry (off unless set): months without activity before a balance expires. Not
# less than a season, so a holiday never costs a customer their points.
EXPIRY_MONTHS = Range(3, 60)

# One purchase at the till, in cents (100,000.00 at most).
AMOUNT_CENTS = Range(1, 10_000_000)

# What staff may do without the owner (the owner sets both; the owner is never limited):
# the largest purchase one staff member may award points for, and the points one staff
# member may award per day (UTC). 0 means "only the owner".
STAFF_MAX_PURCHASE_CENTS = Range(0, 10_000_000)
STAFF_DAILY_POINTS = Range(0, 100_000_000)

# Points in one reward's cost, in one redemption by points, in one owner's adjustment.
POINTS = Range(1, 1_000_000)

# Text, in characters after trimming the spaces around it.
NAME_LENGTH = Range(1, 80)  # a business, a reward, a tier, a promotion, a stamp card's reward
# A reward's description, a refund's reason, an adjustment's note.
DESCRIPTION_LENGTH = Range(0, 280)
DISPLAY_NAME_LENGTH = Range(1, 60)  # how businesses greet a customer
EMAIL_LENGTH = Range(5, 254)  # an invitation's address (a@b.c is the shortest that can work)

# An email address: one @, a dot after it, no spaces. Only its owner can prove it (by
# signing up with it), so nothing more is checked here.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

# How many of a thing one account or one business may hold: caps, not input ranges (no
# form has an edge to walk), refused with their own 409 when reached.
BUSINESSES_PER_ACCOUNT = 50  # owned or staffed; also bounds `GET /me/merchants`
PENDING_INVITATIONS_PER_BUSINESS = 20  # waiting for an answer; each one may send an email

ALL: dict[str, Range] = {name: v for name, v in dict(globals()).items() if isinstance(v, Range)}


def has_control_characters(text: str) -> bool:
    """Whether `text` holds a control character (C0, DEL or C1): never in a name or description."""
    return any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text)

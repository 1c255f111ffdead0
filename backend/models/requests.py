"""Request bodies: strict types, no unknown fields, sized strings, bounded integers.

Strict mode means "12" is not 12 and 1.0 is not 1: a client sending the wrong type hears
about it (422) instead of having it guessed. Every limit, category and currency comes from
`loyalty` (the app's forms check the same ones), so the two cannot disagree.
"""

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from loyalty import bounds, catalog, claim_codes, promotions
from loyalty import tiers as tier_rules
from loyalty.bounds import Range

Category = Literal[tuple(catalog.CATEGORIES)]  # type: ignore[valid-type]
AdjustmentReason = Literal[tuple(catalog.ADJUSTMENT_REASONS)]  # type: ignore[valid-type]
Currency = Literal[tuple(catalog.CURRENCIES)]  # type: ignore[valid-type]


def _within(bound: Range) -> object:
    return Field(ge=bound.low, le=bound.high)


def _no_control_chars(value: str) -> str:
    if bounds.has_control_characters(value):
        raise ValueError("must not contain control characters")
    return value


def _text(length: Range) -> object:
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=length.low, max_length=length.high),
        AfterValidator(_no_control_chars),
    ]


def _a_time_zone(value: str) -> str:
    if not catalog.is_time_zone(value):
        raise ValueError("must be a time zone's IANA name, like Europe/Berlin")
    return value


TimeZone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_a_time_zone)]
Name = _text(bounds.NAME_LENGTH)
Description = _text(bounds.DESCRIPTION_LENGTH)
DisplayName = _text(bounds.DISPLAY_NAME_LENGTH)
Points = Annotated[int, _within(bounds.POINTS)]


class Strict(BaseModel):
    """Base of every request body."""

    # defer_build: a model is compiled on its first use, so a cold start pays only for its route.
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


class EarningRule(Strict):
    points_per_unit: Annotated[int, _within(bounds.POINTS_PER_UNIT)]
    min_purchase_cents: Annotated[int, _within(bounds.MIN_PURCHASE_CENTS)] = 0


class Tier(Strict):
    name: Name  # type: ignore[valid-type]
    threshold: Annotated[int, _within(bounds.THRESHOLD)]
    multiplier_pct: Annotated[int, _within(bounds.MULTIPLIER_PCT)]


def _a_ladder(tier_list: list[Tier]) -> list[Tier]:
    problem = tier_rules.problem([t.threshold for t in tier_list])
    if problem:
        raise ValueError(problem)
    return tier_list


Tiers = Annotated[
    list[Tier],
    Field(min_length=bounds.TIER_COUNT.low, max_length=bounds.TIER_COUNT.high),
    AfterValidator(_a_ladder),
]


class StaffLimits(Strict):
    """What staff may award without the owner (loyalty/staff_limits.py)."""

    max_purchase_cents: Annotated[int, _within(bounds.STAFF_MAX_PURCHASE_CENTS)]
    daily_points: Annotated[int, _within(bounds.STAFF_DAILY_POINTS)]


class StampCard(Strict):
    """A business's stamp card (loyalty.stamps)."""

    active: bool = True
    stamps_needed: Annotated[int, _within(bounds.STAMPS_NEEDED)]
    reward_name: Name  # type: ignore[valid-type]
    min_purchase_cents: Annotated[int, _within(bounds.MIN_PURCHASE_CENTS)] = 0
    replaces_points: bool = False


class ProfileUpdate(Strict):
    display_name: DisplayName  # type: ignore[valid-type]


# A BCP 47 / CLDR tag as a browser sends it (de, de-DE, zh-Hant-TW); the emails read it with
# Babel (loyalty.formatting), where one CLDR does not know reads as English.
Language = Annotated[
    str, StringConstraints(max_length=35, pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8}){0,3}$")
]


class MailSettingsUpdate(Strict):
    """What the customer changes of their email settings (what is absent stays)."""

    receipts: bool | None = None
    reminders: bool | None = None
    language: Language | None = None  # type: ignore[valid-type]
    time_zone: TimeZone | None = None  # type: ignore[valid-type]


class BusinessReceiptsUpdate(Strict):
    receipts: bool


class MerchantCreate(Strict):
    name: Name  # type: ignore[valid-type]
    category: Category
    currency: Currency = catalog.DEFAULT_CURRENCY
    earning_rule: EarningRule | None = None
    tiers: Tiers | None = None
    staff_limits: StaffLimits | None = None
    time_zone: TimeZone = catalog.DEFAULT_TIME_ZONE
    stamp_card: StampCard | None = None


ExpiryMonths = Annotated[int, _within(bounds.EXPIRY_MONTHS)]


class MerchantUpdate(Strict):
    name: Name | None = None  # type: ignore[valid-type]
    category: Category | None = None
    earning_rule: EarningRule | None = None
    tiers: Tiers | None = None
    staff_limits: StaffLimits | None = None
    time_zone: TimeZone | None = None
    stamp_card: StampCard | None = None
    # Points expire after this many months without activity; 0 switches expiry off.
    expiry_months: ExpiryMonths | Literal[0] | None = None


class RewardCreate(Strict):
    name: Name  # type: ignore[valid-type]
    description: Description = ""  # type: ignore[valid-type]
    cost_points: Points
    min_tier: Name | None = None  # type: ignore[valid-type]


class RewardUpdate(Strict):
    """Fields to change; `min_tier: null` opens the reward to every tier again."""

    name: Name | None = None  # type: ignore[valid-type]
    description: Description | None = None  # type: ignore[valid-type]
    cost_points: Points | None = None
    active: bool | None = None
    min_tier: Name | None = None  # type: ignore[valid-type]


# Dates and times are checked with the whole rule (loyalty.promotions.problem), so a bad one
# reads the same sentence as in the app's form.
Day = Annotated[str, StringConstraints(max_length=10)]  # 2026-12-01
ClockTime = Annotated[str, StringConstraints(max_length=5)]  # 16:00
Weekday = Annotated[int, Field(ge=1, le=7)]


class PromotionFields(Strict):
    """What a promotion's rule is made of (loyalty.promotions); the whole rule is checked
    by `loyalty.promotions.problem`, as the app's form checks it."""

    name: Name | None = None  # type: ignore[valid-type]
    kind: Literal[tuple(promotions.KINDS)] | None = None  # type: ignore[valid-type]
    multiplier_pct: Annotated[int, _within(bounds.PROMOTION_MULTIPLIER_PCT)] | None = None
    bonus_points: Annotated[int, _within(bounds.BONUS_POINTS)] | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    weekdays: Annotated[list[Weekday], Field(max_length=7)] | None = None
    from_time: ClockTime | None = None
    until_time: ClockTime | None = None


class PromotionCreate(PromotionFields):
    name: Name  # type: ignore[valid-type]
    kind: Literal[tuple(promotions.KINDS)]  # type: ignore[valid-type]
    starts_on: Day
    weekdays: Annotated[list[Weekday], Field(max_length=7)] = []

    @model_validator(mode="after")
    def _a_rule(self) -> "PromotionCreate":
        problem = promotions.problem(self.model_dump())
        if problem:
            raise ValueError(problem)
        return self


class PromotionUpdate(PromotionFields):
    """Fields to change; the promotion they make is checked whole (422 if it is no rule)."""


class Invite(Strict):
    email: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True,
            to_lower=True,
            min_length=bounds.EMAIL_LENGTH.low,
            max_length=bounds.EMAIL_LENGTH.high,
            pattern=bounds.EMAIL_PATTERN,
        ),
    ]


class VisitOpen(Strict):
    token: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=512)]


class Approval(Strict):
    """The customer's answer to a till that typed their code: allow it, or "not me"."""

    allow: bool


class Dispute(Strict):
    merchant_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    reason: Description = ""  # type: ignore[valid-type]


class Earn(Strict):
    amount_cents: Annotated[int, _within(bounds.AMOUNT_CENTS)]


class Redeem(Strict):
    """One of: a reward (`reward_id`), a number of `points`, or the stamp card's free reward
    (`stamp_card: true`)."""

    reward_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    points: Points | None = None
    stamp_card: Literal[True] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "Redeem":
        given = [v for v in (self.reward_id, self.points, self.stamp_card) if v is not None]
        if len(given) != 1:
            raise ValueError("give one of reward_id, points or stamp_card")
        return self


class Reverse(Strict):
    reason: Description | None = None  # type: ignore[valid-type]


class Adjustment(Strict):
    """An owner's adjustment: signed points (never 0), a reason and an optional note."""

    points: Annotated[int, Field(ge=-bounds.POINTS.high, le=bounds.POINTS.high)]
    reason: AdjustmentReason
    note: Description = ""  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _not_zero(self) -> "Adjustment":
        if abs(self.points) < bounds.POINTS.low:
            raise ValueError(f"points: add or remove at least {bounds.POINTS.low}")
        return self


class ClaimCodeRequest(Strict):
    """A purchase closed without a scan: its amount, for the receipt's code."""

    amount_cents: Annotated[int, _within(bounds.AMOUNT_CENTS)]


def _a_claim_code(typed: str) -> str:
    code = claim_codes.normalize(typed)
    if code is None:
        raise ValueError(f"a receipt's code is {claim_codes.LENGTH} letters and digits")
    return code


class Claim(Strict):
    """A customer claims a receipt's points; `merchant_id` (optional) says where they expect
    them (another business's code is then not found)."""

    code: Annotated[str, StringConstraints(max_length=64), AfterValidator(_a_claim_code)]
    merchant_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None

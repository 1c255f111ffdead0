"""Request bodies: strict types, no unknown fields, sized strings, bounded integers.

Strict mode means "12" is not 12 and 1.0 is not 1: a client sending the wrong type hears
about it (422) instead of having it guessed.
"""

import itertools
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

Category = Literal["cafe", "bakery", "restaurant", "grocery", "retail", "beauty", "other"]


def _no_control_chars(value: str) -> str:
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
        raise ValueError("must not contain control characters")
    return value


def _text(min_length: int, max_length: int) -> object:
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_no_control_chars),
    ]


Name = _text(1, 80)
Description = _text(0, 280)
DisplayName = _text(1, 60)
Points = Annotated[int, Field(ge=1, le=1_000_000)]


class Strict(BaseModel):
    """Base of every request body."""

    # defer_build: a model is compiled on its first use, so a cold start pays only for its route.
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


class EarningRule(Strict):
    points_per_unit: Annotated[int, Field(ge=1, le=1000)]
    min_purchase_cents: Annotated[int, Field(ge=0, le=10_000_000)] = 0


class Tier(Strict):
    name: Name  # type: ignore[valid-type]
    threshold: Annotated[int, Field(ge=0, le=100_000_000)]
    multiplier_pct: Annotated[int, Field(ge=100, le=500)]


def _increasing(tiers: list[Tier] | None) -> list[Tier] | None:
    if tiers is not None:
        thresholds = [t.threshold for t in tiers]
        if any(b <= a for a, b in itertools.pairwise(thresholds)):
            raise ValueError("tier thresholds must increase")
    return tiers


Tiers = Annotated[list[Tier], Field(min_length=1, max_length=6), AfterValidator(_increasing)]


class ProfileUpdate(Strict):
    display_name: DisplayName  # type: ignore[valid-type]


class MerchantCreate(Strict):
    name: Name  # type: ignore[valid-type]
    category: Category
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "EUR"
    earning_rule: EarningRule | None = None
    tiers: Tiers | None = None


class MerchantUpdate(Strict):
    name: Name | None = None  # type: ignore[valid-type]
    category: Category | None = None
    earning_rule: EarningRule | None = None
    tiers: Tiers | None = None


class RewardCreate(Strict):
    name: Name  # type: ignore[valid-type]
    description: Description = ""  # type: ignore[valid-type]
    cost_points: Points


class RewardUpdate(Strict):
    name: Name | None = None  # type: ignore[valid-type]
    description: Description | None = None  # type: ignore[valid-type]
    cost_points: Points | None = None
    active: bool | None = None


class StaffAdd(Strict):
    email: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True,
            to_lower=True,
            max_length=254,
            pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        ),
    ]


class VisitOpen(Strict):
    token: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=512)]


class Earn(Strict):
    amount_cents: Annotated[int, Field(ge=1, le=10_000_000)]


class Redeem(Strict):
    reward_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    points: Points | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "Redeem":
        if (self.reward_id is None) == (self.points is None):
            raise ValueError("give either reward_id or points")
        return self


class Reverse(Strict):
    reason: Description | None = None  # type: ignore[valid-type]

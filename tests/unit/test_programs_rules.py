"""The programs' rules on their own (loyalty/): promotion windows on the business's clock
(first and last minute, across both summer-time changes), which promotion applies, stamp
cards at N-1, N and N+1 stamps, what a purchase earns, and tier-locked rewards."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from loyalty import earning, promotions, stamps, tiers

BERLIN = "Europe/Berlin"
TUESDAYS_16_TO_18 = {
    "promotion_id": "p_2",
    "name": "Double Tuesdays",
    "kind": "multiplier",
    "multiplier_pct": 200,
    "bonus_points": None,
    "starts_on": "2027-01-05",
    "ends_on": "2027-12-28",
    "weekdays": [2],
    "from_time": "16:00",
    "until_time": "18:00",
}
RULE = {"points_per_unit": 1, "min_purchase_cents": 0}


def utc(text: str) -> float:
    """An instant written in UTC ('2027-03-23 15:00')."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def runs(promotion: dict, instant: str, zone: str = BERLIN) -> bool:
    return promotions.in_force(promotion, promotions.local_time(utc(instant), zone))


# ------------------------------------------------------------------ the window


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        # Winter (CET, UTC+1): 16:00 in Berlin is 15:00 UTC.
        ("2027-03-23 14:59", False),  # 15:59 local: the minute before
        ("2027-03-23 15:00", True),  # 16:00: the first minute
        ("2027-03-23 16:59", True),  # 17:59: the last minute
        ("2027-03-23 17:00", False),  # 18:00: over
        # Summer (CEST, UTC+2) after the change on Sunday 28 March: 16:00 is 14:00 UTC.
        ("2027-03-30 13:59", False),
        ("2027-03-30 14:00", True),
        ("2027-03-30 15:59", True),
        ("2027-03-30 16:00", False),
        # The same UTC hour as in winter is now an hour late.
        ("2027-03-30 16:30", False),
        # Back to winter after Sunday 31 October: 16:00 is 15:00 UTC again.
        ("2027-10-26 14:00", True),  # still summer: 16:00 CEST
        ("2027-11-02 14:00", False),  # 15:00 CET
        ("2027-11-02 15:00", True),
        ("2027-11-02 16:59", True),
        ("2027-11-02 17:00", False),
        # A Monday and a Wednesday at 16:30: not Tuesday on the business's clock.
        ("2027-03-22 15:30", False),
        ("2027-03-24 15:30", False),
    ],
)
def test_a_window_runs_from_its_first_to_its_last_minute_on_the_business_s_clock(instant, expected):
    assert runs(TUESDAYS_16_TO_18, instant) is expected


def test_the_weekday_is_the_business_s_not_utc_s():
    """Tuesday 00:30 in Auckland is Monday 11:30 UTC: it is Tuesday there."""
    all_tuesday = {**TUESDAYS_16_TO_18, "from_time": None, "until_time": None}
    assert runs(all_tuesday, "2027-03-22 11:30", "Pacific/Auckland")
    assert not runs(all_tuesday, "2027-03-22 11:30", "UTC")  # Monday in UTC


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2027-01-04 22:59", False),  # Monday 4th 23:59 in Berlin: the day before
        ("2027-01-04 23:00", True),  # Tuesday 5th 00:00: the first day's first minute
        ("2027-12-28 22:59", True),  # Tuesday 28th 23:59: the last day's last minute
        ("2027-12-28 23:00", False),  # Wednesday 29th 00:00
    ],
)
def test_dates_are_whole_days_on_the_business_s_clock_both_included(instant, expected):
    every_hour = {**TUESDAYS_16_TO_18, "weekdays": [], "from_time": None, "until_time": None}
    assert runs(every_hour, instant) is expected


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        # Sunday 28 March 2027: at 02:00 CET the clock jumps to 03:00 CEST.
        ("2027-03-28 00:59", False),  # 01:59 CET
        ("2027-03-28 01:00", False),  # 03:00 CEST: 02:00-03:00 never happened
        # Sunday 31 October 2027: at 03:00 CEST the clock goes back to 02:00 CET.
        ("2027-10-30 23:59", False),  # 01:59 CEST
        ("2027-10-31 00:00", True),  # 02:00 CEST, the first time
        ("2027-10-31 00:59", True),  # 02:59 CEST
        ("2027-10-31 01:00", True),  # 02:00 CET, the second time
        ("2027-10-31 01:59", True),  # 02:59 CET
        ("2027-10-31 02:00", False),  # 03:00 CET
    ],
)
def test_an_hour_the_clock_skips_never_runs_and_one_it_repeats_runs_twice(instant, expected):
    sunday_2_to_3 = {
        **TUESDAYS_16_TO_18,
        "weekdays": [7],
        "from_time": "02:00",
        "until_time": "03:00",
    }
    assert runs(sunday_2_to_3, instant) is expected


def test_a_window_to_midnight_includes_its_last_minute():
    evening = {**TUESDAYS_16_TO_18, "weekdays": [], "from_time": "22:00", "until_time": "24:00"}
    assert runs(evening, "2027-03-23 22:59")  # 23:59 CET
    assert not runs(evening, "2027-03-23 23:00")  # 00:00 the next day


# ------------------------------------------------------------------ which promotion applies


def offer(pid: str, kind: str, amount: int, starts_on: str = "2027-01-01") -> dict:
    return {
        "promotion_id": pid,
        "name": pid,
        "kind": kind,
        "multiplier_pct": amount if kind == "multiplier" else None,
        "bonus_points": None if kind == "multiplier" else amount,
        "starts_on": starts_on,
        "ends_on": None,
        "weekdays": [],
        "from_time": None,
        "until_time": None,
    }


NOON = promotions.local_time(utc("2027-03-23 11:00"), BERLIN)


@pytest.mark.parametrize(
    ("base", "chosen", "extra"),
    [
        (12, "bonus", 50),  # x2 adds 12, +50 adds 50
        (50, "bonus", 50),  # a tie: the one that started first
        (120, "double", 120),  # x2 adds 120
    ],
)
def test_overlapping_promotions_never_stack_the_best_one_applies(base, chosen, extra):
    offers = [offer("double", "multiplier", 200, "2027-02-01"), offer("bonus", "bonus", 50)]
    applied, added = promotions.best(offers, base, NOON, first_visit=False)
    assert (applied["promotion_id"], added) == (chosen, extra)


def test_a_welcome_bonus_is_for_the_first_visit_only():
    offers = [offer("welcome", "welcome", 50)]
    assert promotions.best(offers, 10, NOON, first_visit=True)[1] == 50
    assert promotions.best(offers, 10, NOON, first_visit=False) == (None, 0)


def test_a_promotion_that_adds_nothing_is_not_recorded():
    """x1.5 of 1 point is 1 point: nothing added, so no promotion on the entry."""
    assert promotions.best([offer("half", "multiplier", 150)], 1, NOON, False) == (None, 0)


def test_multipliers_round_down_in_whole_points():
    assert promotions.extra_points(offer("x", "multiplier", 150), 7, False) == 3  # 10.5 -> 10


@pytest.mark.parametrize(
    ("fields", "sentence"),
    [
        ({"kind": "gift"}, "Choose what the promotion gives"),
        ({"multiplier_pct": 100}, "A multiplier is a whole percent from 101 to 1000"),
        ({"multiplier_pct": 1001}, "A multiplier is"),
        ({"bonus_points": 5}, "A multiplier is"),  # a multiplier with a bonus too
        ({"starts_on": "2027-02-30"}, "Give the first day"),
        ({"ends_on": "2027-01-04"}, "cannot come before its first"),
        ({"weekdays": [0]}, "Weekdays are 1 (Monday) to 7 (Sunday)"),
        ({"weekdays": [2, 2]}, "each at most once"),
        ({"from_time": None}, "Give both ends of the time window"),
        ({"until_time": "16:00"}, "must end after it starts"),
        ({"from_time": "24:00", "until_time": "24:00"}, "Give the time window as HH:MM"),
        ({"until_time": "6pm"}, "Give the time window as HH:MM"),
    ],
)
def test_what_makes_a_promotion_a_rule(fields, sentence):
    assert promotions.problem(TUESDAYS_16_TO_18) is None
    assert sentence in (promotions.problem({**TUESDAYS_16_TO_18, **fields}) or "")


def test_status_and_words():
    assert promotions.status(TUESDAYS_16_TO_18, date(2027, 1, 4)) == "scheduled"
    assert promotions.status(TUESDAYS_16_TO_18, date(2027, 12, 28)) == "running"
    assert promotions.status(TUESDAYS_16_TO_18, date(2027, 12, 29)) == "ended"
    assert promotions.describe(TUESDAYS_16_TO_18) == (
        "x2 points, Tue 16:00-18:00, from 2027-01-05 to 2027-12-28"
    )
    assert promotions.describe(offer("w", "welcome", 50)).startswith(
        "+50 points on the first purchase, every day"
    )
    assert promotions.describe(offer("m", "multiplier", 125)).startswith("x1.25 points")


# ------------------------------------------------------------------ stamp cards


@pytest.mark.parametrize(
    ("held", "filled", "ready"),
    [
        (0, 0, 0),
        (9, 9, 0),  # N-1: one to go
        (10, 10, 1),  # N: a full card, its reward ready
        (11, 1, 1),  # N+1: the reward still ready, the next card started
        (20, 10, 2),
    ],
)
def test_a_card_at_n_minus_1_n_and_n_plus_1_stamps(held, filled, ready):
    assert stamps.on_card(held, 10) == filled
    assert stamps.rewards_ready(held, 10) == ready


CARD = {
    "active": True,
    "stamps_needed": 10,
    "reward_name": "Free coffee",
    "min_purchase_cents": 300,
}


def earned(amount: int, **kwargs) -> earning.Earned:
    return earning.for_purchase(
        amount, kwargs.pop("rule", RULE), 100, at_s=utc("2027-03-23 11:00"), **kwargs
    )


def test_a_purchase_earns_a_stamp_from_the_card_s_minimum():
    assert earned(2_99, stamp_card=CARD).stamps == 0
    assert earned(3_00, stamp_card=CARD).stamps == 1
    assert earned(3_00, stamp_card={**CARD, "active": False}).stamps == 0
    assert earned(3_00).stamps == 0  # no card


def test_a_purchase_under_the_points_minimum_still_earns_its_stamp():
    rule = {"points_per_unit": 1, "min_purchase_cents": 10_00}
    bonus = [offer("bonus", "bonus", 50)]
    under = earned(5_00, rule=rule, stamp_card=CARD, offers=bonus)
    assert (under.points, under.promotion, under.stamps) == (0, None, 1)
    with pytest.raises(earning.BelowMinimum):  # neither points nor a stamp
        earned(2_00, rule=rule, stamp_card=CARD)


def test_a_card_that_replaces_points_gives_stamps_only():
    card = {**CARD, "replaces_points": True}
    only = earned(50_00, stamp_card=card, offers=[offer("double", "multiplier", 200)])
    assert (only.points, only.promotion, only.stamps) == (0, None, 1)
    with pytest.raises(earning.BelowMinimum):
        earned(2_99, stamp_card=card)


def test_a_purchase_s_points_are_the_rule_s_and_the_promotion_s():
    result = earned(12_50, offers=[offer("double", "multiplier", 200)], first_visit=True)
    assert (result.points, result.base_points, result.promotion_points) == (24, 12, 12)
    assert result.promotion["promotion_id"] == "double"


# ------------------------------------------------------------------ tier benefits

LADDER = [
    {"name": "Bronze", "threshold": 0, "multiplier_pct": 100},
    {"name": "Silver", "threshold": 500, "multiplier_pct": 125},
    {"name": "Gold", "threshold": 2000, "multiplier_pct": 150},
]


def test_a_reward_for_a_tier_is_locked_below_it_with_the_reason():
    assert tiers.lock_reason(640, None, LADDER) is None
    assert tiers.lock_reason(640, "Silver", LADDER) is None
    assert tiers.lock_reason(640, "Gold", LADDER) == "Gold members only: 1,360 more points to go"
    assert tiers.lock_reason(1999, "Gold", LADDER).endswith(": 1 more point to go")
    assert tiers.lock_reason(2000, "Gold", LADDER) is None
    # A tier the business no longer has: nobody reaches it.
    assert tiers.lock_reason(10**6, "Platinum", LADDER) == "Platinum members only"

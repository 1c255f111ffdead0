"""The till's Idempotency-Key policy: retries reuse the key, definite answers replace it.

The API (a stand-in recording every request) answers like docs/api.md says; what is
under test is the scan state's own logic: which key each tap sends, and what the
merchant sees.
"""

from __future__ import annotations

from typing import Any

import pytest

from epoint_ui.api import ApiError
from epoint_ui.states.merchant_scan import ScanState
from epoint_ui.states.session import SESSION_ENDED
from tests.unit.ui_browser import Answers, Browser, redirect_target, run

VISIT = {
    "visit_id": "v_1",
    "expires_at": "2099-01-01T00:00:00Z",
    "customer": {"customer_id": "c", "display_name": "Carl"},
    "balance": 30,
    "lifetime_points": 30,
    "tier": {"name": "Bronze", "threshold": 0, "multiplier_pct": 100},
    "rewards": [
        {"reward_id": "r_1", "name": "Coffee", "cost_points": 10},
        {"reward_id": "r_2", "name": "Cake", "cost_points": 50},
    ],
}


def earned(tx_id: str, points: int, balance: int) -> dict[str, Any]:
    return {
        "transaction": {
            "tx_id": tx_id,
            "kind": "earn",
            "points": points,
            "amount_cents": points * 100,
        },
        "balance": balance,
        "tier": VISIT["tier"],
    }


def redeemed(tx_id: str, balance: int) -> dict[str, Any]:
    return {
        "transaction": {"tx_id": tx_id, "kind": "redeem", "points": -10, "reward_name": "Coffee"},
        "balance": balance,
        "tier": VISIT["tier"],
    }


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Browser:
    """A merchant's tab on the till, signed in, working on business m_1."""
    return Browser(monkeypatch, path="/merchant/scan")


@pytest.fixture
def answers(browser: Browser) -> Answers:
    """The stand-in API of one test."""
    return browser.api


@pytest.fixture
def till(browser: Browser) -> ScanState:
    """A scan state with Carl's visit open."""
    state = browser.open(ScanState)
    state._start_visit(VISIT, browser.merchant.business["earning_rule"], "EUR")
    return state


def test_a_retry_after_a_network_failure_sends_the_same_key(till, answers):
    answers.will_answer(
        ApiError("We couldn't reach ePoint.", code="network"), earned("t_1", 12, 42)
    )
    till.set_amount("12.50")
    form = {"amount": "12.50", "key": till.award_key}

    run(till.award(form))
    assert "will not be credited twice" in till.action_error
    assert till.receipts == [] and not till.earned

    run(till.award({"amount": "12.50", "key": till.award_key}))
    assert answers.keys[0] == answers.keys[1] == form["key"]
    assert [r["points"] for r in till.receipts] == ["+12"]
    assert till.balance == 42 and till.earned


def test_a_definite_refusal_makes_the_next_tap_a_new_action(till, answers):
    refusal = ApiError("Too small.", status=422, code="below_minimum_purchase")
    answers.will_answer(refusal, earned("t_1", 20, 50))
    till.set_amount("0.50")
    first_key = till.award_key
    run(till.award({"amount": "0.50", "key": first_key}))
    assert till.action_error == "Too small."
    assert till.award_key != first_key

    till.set_amount("20")
    run(till.award({"amount": "20", "key": till.award_key}))
    assert answers.keys[1] != first_key
    assert till.balance == 50


def test_a_double_tap_on_redeem_shows_one_receipt(till, answers):
    # Both taps carry the key rendered with the button; the API replays the first answer.
    answers.will_answer(redeemed("t_9", 20), redeemed("t_9", 20))
    key = till.redeem_key
    run(till.redeem("r_1", key))
    run(till.redeem("r_1", key))
    assert answers.keys == [key, key]
    assert len(till.receipts) == 1
    assert till.balance == 20
    assert till.redeem_key != key  # the next deliberate redemption is a new action
    assert [r["name"] for r in till.affordable] == ["Coffee"]


def test_an_expired_visit_asks_for_a_new_scan(till, answers):
    answers.will_answer(ApiError("Expired.", status=410, code="visit_expired"))
    run(till.redeem("r_1", till.redeem_key))
    assert till.visit_expired and not till.visit_open
    assert till.receipts == []


def test_only_a_changed_amount_gets_a_new_key(till):
    till.set_amount("12")
    key = till.award_key
    till.set_amount("12")
    assert till.award_key == key
    till.set_amount("13")
    assert till.award_key != key


def test_the_preview_is_what_the_api_will_award(till):
    till.set_amount("12.50")
    assert till.preview == "12.50 EUR earns 12 points at Bronze."
    till.set_amount("abc")
    assert till.preview == ""


def test_a_dead_session_at_the_till_sends_the_merchant_to_sign_in(till, answers, browser):
    answers.will_answer(ApiError("Your session has ended.", status=401, code="unauthorized"))
    till.set_amount("12.50")
    key = till.award_key

    updates = run(till.award({"amount": "12.50", "key": key}))

    assert [redirect_target(u) for u in updates if redirect_target(u)] == [
        "/sign-in?next=/merchant/scan"
    ]
    assert browser.session.notice == SESSION_ENDED
    assert not browser.session.signed_in and not browser.session_alive()
    # Nothing booked, nothing said on the till itself: the sign-in page says why.
    assert till.action_error == "" and till.receipts == [] and not till.earned
    assert not till.awarding
    assert till.award_key == key  # the API refused before acting: the same key is safe


def test_a_dead_session_while_scanning_sends_the_merchant_to_sign_in(browser):
    till = browser.open(ScanState)
    browser.api.will_answer(ApiError("Your session has ended.", status=401))

    updates = run(till.enter_code({"code": "123456"}))

    assert "/sign-in?next=/merchant/scan" in [redirect_target(u) for u in updates]
    assert browser.session.notice == SESSION_ENDED
    assert till.scan_error == "" and not till.opening and not till.visit_open


def test_the_receipt_names_the_promotion_and_the_stamp(till, answers):
    answer = earned("t_1", 24, 54)
    answer["transaction"].update(
        promotion_name="Double Tuesdays",
        promotion_points=12,
        stamps=1,
        stamps_after=7,
        stamps_needed=10,
    )
    answers.will_answer(answer)
    till.set_amount("12")
    run(till.award({"amount": "12", "key": till.award_key}))
    (receipt,) = till.receipts
    assert receipt["detail"] == "Double Tuesdays: +12 points · +1 stamp (7/10)"


def test_a_full_card_is_offered_and_given_once(browser, answers):
    state = browser.open(ScanState)
    card = {"active": True, "stamps_needed": 3, "reward_name": "Free cake"}
    state._start_visit({**VISIT, "stamps": 3, "stamp_card": card}, {}, "EUR")
    assert state.card_full and state.stamp_slots == [True, True, True]
    assert state.stamps_text == "3 of 3 stamps: Free cake is free today"
    given = {
        "transaction": {
            "tx_id": "t_5",
            "kind": "stamp_redeem",
            "points": 0,
            "stamps": -3,
            "stamps_after": 0,
            "stamps_needed": 3,
            "reward_name": "Free cake",
        },
        "balance": 30,
        "stamps": 0,
        "tier": VISIT["tier"],
    }
    answers.will_answer(given, given)
    key = state.redeem_key
    run(state.give_card_reward(key))
    run(state.give_card_reward(key))  # the card is empty now: nothing is sent
    assert answers.keys == [key]
    assert [r["title"] for r in state.receipts] == ["Gave the stamp card's Free cake"]
    assert state.receipts[0]["detail"] == "-3 stamps (a full card)"
    assert not state.card_full and state.stamp_slots == [False, False, False]


def test_a_reward_for_a_higher_tier_is_shown_locked_with_the_reason(browser):
    state = browser.open(ScanState)
    gold_only = {"reward_id": "r_3", "name": "Gold cake", "cost_points": 5, "min_tier": "Gold"}
    ladder = [
        {"name": "Bronze", "threshold": 0, "multiplier_pct": 100},
        {"name": "Gold", "threshold": 100, "multiplier_pct": 150},
    ]
    visit = {**VISIT, "rewards": [*VISIT["rewards"], gold_only]}
    state._start_visit(visit, {}, "EUR", tier_list=ladder)
    assert [r["name"] for r in state.affordable] == ["Coffee"]
    assert [(r["name"], r["reason"]) for r in state.locked] == [
        ("Gold cake", "Gold members only: 70 more points to go")
    ]
    state.lifetime_points = 100
    assert [r["name"] for r in state.affordable] == ["Gold cake", "Coffee"]  # cheapest first
    assert state.locked == []

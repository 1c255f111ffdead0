"""The till's Idempotency-Key policy: retries reuse the key, definite answers replace it.

The API (a stand-in recording every request) answers like docs/api.md says; what is
under test is the scan state's own logic: which key each tap sends, and what the
merchant sees.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from epoint_ui.api import ApiError
from epoint_ui.states import merchant_scan
from epoint_ui.states.merchant_scan import ScanState

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


class Answers:
    """Stands in for the API: answers each POST from a script and records its key."""

    def __init__(self) -> None:
        self.script: list[dict[str, Any] | ApiError] = []
        self.keys: list[str | None] = []

    def will_answer(self, *script: dict[str, Any] | ApiError) -> None:
        """The answers to the next POSTs, in order."""
        self.script.extend(script)

    async def post(self, path: str, body: dict[str, Any], *, idempotency_key: str | None = None):
        self.keys.append(idempotency_key)
        answer = self.script.pop(0)
        if isinstance(answer, ApiError):
            raise answer
        return answer


class Business:
    merchant_id = "m_1"
    currency = "EUR"
    business: dict[str, Any] = {"earning_rule": {"points_per_unit": 1, "min_purchase_cents": 0}}


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
def answers() -> Answers:
    """The stand-in API of one test."""
    return Answers()


@pytest.fixture
def till(monkeypatch: pytest.MonkeyPatch, answers: Answers) -> ScanState:
    """A scan state with Carl's visit open, talking to `answers`."""
    state = ScanState(_reflex_internal_init=True)
    state._start_visit(VISIT, Business.business["earning_rule"], "EUR")

    async def get_state(self, cls):
        return Business()

    async def client(_state):
        return answers

    monkeypatch.setattr(ScanState, "get_state", get_state)
    monkeypatch.setattr(merchant_scan, "api", client)
    return state


def run(handler) -> None:
    """Drive an event handler to the end, on a loop of its own.

    In its own thread: a suite earlier in the session (Playwright's sync API) may keep an
    event loop running in this one, and asyncio.run refuses to nest.
    """

    async def drain():
        async for _ in handler:
            pass

    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(asyncio.run, drain()).result()


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

"""The domain rules on their own: earning, tiers, QR tokens, ids (no HTTP, no DynamoDB)."""

import subprocess
import sys
from pathlib import Path

import pytest

import loyalty
from backend import clock
from backend.logic import errors, ids, qr_tokens
from loyalty import earning, tiers

KEY = b"domain-test-key"


@pytest.mark.parametrize(
    ("amount_cents", "per_unit", "multiplier", "points"),
    [
        (1250, 1, 100, 12),
        (1250, 1, 125, 15),
        (99, 5, 150, 0),
        (100, 3, 150, 4),
        (10_000_000, 1000, 500, 500_000_000),
    ],
)
def test_points_round_down_at_each_step(amount_cents, per_unit, multiplier, points):
    rule = {"points_per_unit": per_unit, "min_purchase_cents": 0}
    assert earning.points_for_purchase(amount_cents, rule, multiplier) == points


def test_minimum_purchase():
    rule = {"points_per_unit": 1, "min_purchase_cents": 500}
    with pytest.raises(earning.BelowMinimum):
        earning.points_for_purchase(499, rule, 100)
    assert earning.points_for_purchase(500, rule, 100) == 5


def test_tiers_by_lifetime_points():
    assert [
        tiers.tier_for(p, tiers.DEFAULT_TIERS)["name"] for p in (0, 499, 500, 1999, 2000, 10**9)
    ] == [
        "Bronze",
        "Bronze",
        "Silver",
        "Silver",
        "Gold",
        "Gold",
    ]
    assert tiers.next_tier(640, tiers.DEFAULT_TIERS) == {
        "name": "Gold",
        "threshold": 2000,
        "points_needed": 1360,
    }
    assert tiers.next_tier(2000, tiers.DEFAULT_TIERS) is None


def test_progress_to_the_next_tier():
    bronze, silver, gold = tiers.DEFAULT_TIERS
    assert [tiers.progress_pct(p, bronze, silver) for p in (0, 250, 499)] == [0, 50, 99]
    assert tiers.progress_pct(1250, silver, gold) == 50
    assert tiers.progress_pct(5000, gold, None) == 100  # the top: a full bar


@pytest.mark.parametrize(
    ("thresholds", "problem"),
    [
        ([0], None),
        ([0, 1, 100_000_000], None),
        ([], "1 to 6 tiers"),
        ([0, 1, 2, 3, 4, 5, 6], "1 to 6 tiers"),
        ([100, 500], "first tier must start at 0 points"),
        ([0, 500, 500], "more points than the one before"),
        ([0, 500, 200], "more points than the one before"),
    ],
)
def test_what_makes_a_list_of_tiers(thresholds, problem):
    found = tiers.problem(thresholds)
    assert (found is None) if problem is None else (problem in found)


def test_a_token_verifies_until_it_expires():
    token, info = qr_tokens.issue(KEY, "cust-1", now_s=1000, ttl_s=60)
    assert qr_tokens.verify(KEY, token, now_s=1059) == info
    with pytest.raises(errors.TokenExpired):
        qr_tokens.verify(KEY, token, now_s=1060)


def test_tampering_and_foreign_keys_are_told_apart():
    token, _ = qr_tokens.issue(KEY, "cust-1", now_s=1000, ttl_s=60)
    with pytest.raises(errors.TokenForeign):
        qr_tokens.verify(b"other-deployment", token, now_s=1000)
    swapped = token.replace("cust-1", "cust-2")
    with pytest.raises(errors.TokenInvalid):
        qr_tokens.verify(KEY, swapped, now_s=1000)
    longer_life = token.split(".")
    longer_life[3] = "q_" + "z" * 29  # a forged expiry far in the future
    with pytest.raises(errors.TokenInvalid):
        qr_tokens.verify(KEY, ".".join(longer_life), now_s=1000)


def test_token_ids_answer_only_their_owner():
    _, info = qr_tokens.issue(KEY, "cust-1", now_s=1000, ttl_s=60)
    assert qr_tokens.token_id_expiry(KEY, info.token_id, "cust-1") == 1060
    with pytest.raises(errors.NotFound):
        qr_tokens.token_id_expiry(KEY, info.token_id, "cust-2")


def test_ids_sort_by_time():
    first = ids.new_id("t")
    clock.advance(0.002)
    second = ids.new_id("t")
    clock.reset()
    assert first < second and first.startswith("t_") and len(first) == 28


def test_the_rules_package_is_pure():
    """loyalty/ ships in the Lambda and the state server alike: no AWS, HTTP, UI or app code."""
    modules = sorted(p.stem for p in Path(loyalty.__file__).parent.glob("*.py"))
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module('loyalty.' + m)\n"
        "banned = {'boto3', 'botocore', 'reflex', 'httpx', 'pydantic', 'backend', 'epoint_ui'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & banned))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"

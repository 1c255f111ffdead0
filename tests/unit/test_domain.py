"""The domain rules on their own: earning, tiers, QR tokens, ids (no HTTP, no DynamoDB)."""

import pytest

from backend import clock
from backend.logic import errors, ids, qr_tokens, rules, tiers

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
    assert rules.points_for_purchase(amount_cents, rule, multiplier) == points


def test_minimum_purchase():
    with pytest.raises(errors.BelowMinimumPurchase):
        rules.points_for_purchase(499, {"points_per_unit": 1, "min_purchase_cents": 500}, 100)


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

"""Earn, redeem, reverse and idempotency: invariants 1, 2 and 3."""

import json
import threading
import warnings

import pytest

from backend import clock
from backend.dal import dynamodb as db
from backend.dal import keys
from backend.logic import errors, ledger
from backend.logic.idempotency import from_request
from tests.unit.conftest import call, make_shop, new_key


def ledger_sum(shop, customer=None) -> int:
    items, cursor = [], None
    while True:
        query = {"merchant_id": shop.merchant_id, "limit": "100"} | (
            {"cursor": cursor} if cursor else {}
        )
        page = call("GET", "/transactions", user=customer or shop.customer, query=query).body
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return sum(i["points"] for i in items)


def fund(shop, amount_cents: int) -> str:
    """Open a visit and earn; returns the visit id."""
    visit_id = shop.scan().body["visit_id"]
    assert shop.earn(visit_id, amount_cents).status == 201
    return visit_id


def test_earn_follows_the_rule_and_reports_the_new_balance(shop):
    visit = shop.scan().body
    assert visit["balance"] == 0 and visit["tier"]["name"] == "Bronze"
    reply = shop.earn(visit["visit_id"], 12_99)  # 12 whole euros x 1 point
    assert reply.status == 201
    tx = reply.body["transaction"]
    assert (tx["kind"], tx["points"], tx["balance_after"], tx["amount_cents"]) == (
        "earn",
        12,
        12,
        1299,
    )
    assert tx["customer_id"] == shop.customer and tx["staff_id"] == shop.staff
    assert reply.body["balance"] == 12 == shop.balance()


def test_earn_publishes_its_points_metric_and_a_read_publishes_nothing(shop, capsys):
    visit_id = shop.scan().body["visit_id"]
    capsys.readouterr()
    assert shop.earn(visit_id, 12_99).status == 201
    published = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line
    ]
    assert len(published) == 1 and published[0]["PointsEarned"] == [12]  # one EMF blob
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Powertools warns when it flushes an empty set
        assert call("GET", "/wallet", user=shop.customer).status == 200
    assert "_aws" not in capsys.readouterr().out


def test_a_visit_allows_one_earn(shop):
    visit_id = shop.scan().body["visit_id"]
    assert shop.earn(visit_id, 10_00).status == 201
    second = shop.earn(visit_id, 10_00)
    assert (second.status, second.code) == (409, "visit_already_earned")
    assert shop.balance() == 10


def test_tier_multiplier_applies_from_lifetime_points_earned_before_the_purchase(shop):
    fund(shop, 499_00)  # Bronze: 499 points, lifetime 499
    silver_edge = shop.earn(shop.scan().body["visit_id"], 1_00)  # still Bronze before: +1
    assert silver_edge.body["transaction"]["points"] == 1
    assert silver_edge.body["tier"]["name"] == "Silver"  # lifetime 500 now
    reply = shop.earn(shop.scan().body["visit_id"], 100_00)  # Silver x1.25
    assert reply.body["transaction"]["points"] == 125
    # Spending does not lower the tier: tiers follow lifetime points, not the balance.
    visit_id = shop.scan().body["visit_id"]
    assert shop.redeem(visit_id, points=600).status == 201
    assert shop.earn(visit_id, 100_00).body["transaction"]["points"] == 125


def test_minimum_purchase_is_refused_and_changes_nothing(shop):
    patch = call(
        "PATCH",
        f"/merchants/{shop.merchant_id}",
        user=shop.owner,
        body={"earning_rule": {"points_per_unit": 2, "min_purchase_cents": 5_00}},
    )
    assert patch.status == 200, patch.body
    visit_id = shop.scan().body["visit_id"]
    low = shop.earn(visit_id, 4_99)
    assert (low.status, low.code) == (422, "below_minimum_purchase")
    assert shop.earn(visit_id, 5_00).body["transaction"]["points"] == 10  # the new rule, at once


def test_redeem_a_reward_and_points(shop):
    visit_id = fund(shop, 250_00)
    reward = shop.redeem(visit_id, reward_id=shop.reward_id)
    assert reward.status == 201
    assert reward.body["transaction"]["points"] == -100
    assert reward.body["transaction"]["reward_name"] == "Free coffee"
    points = shop.redeem(visit_id, points=50)
    assert points.body["balance"] == 100 == shop.balance()
    too_much = shop.redeem(visit_id, points=101)
    assert (too_much.status, too_much.code) == (409, "insufficient_points")
    assert shop.balance() == 100


def test_retired_reward_cannot_be_redeemed(shop):
    visit_id = fund(shop, 300_00)
    retired = call(
        "DELETE", f"/merchants/{shop.merchant_id}/rewards/{shop.reward_id}", user=shop.owner
    )
    assert retired.body["active"] is False
    reply = shop.redeem(visit_id, reward_id=shop.reward_id)
    assert (reply.status, reply.code) == (409, "reward_retired")
    unknown = shop.redeem(visit_id, reward_id="r_nope")
    assert (unknown.status, unknown.code) == (404, "not_found")
    assert shop.balance() == 300


def test_visit_expires_after_ten_minutes(shop):
    visit_id = shop.scan().body["visit_id"]
    clock.advance(10 * 60 + 1)
    reply = shop.earn(visit_id, 10_00)
    assert (reply.status, reply.code) == (410, "visit_expired")
    assert shop.balance() == 0


@pytest.mark.parametrize("threads", [20, 50])
def test_concurrent_redemptions_never_overdraw_and_the_ledger_sums_to_the_balance(shop, threads):
    """Many tills at once against one 100-point balance: exactly 10 x 10 points go through.

    Each thread calls the domain directly: a Lambda container serves one request at a time
    (Powertools keeps the current event on the resolver), so concurrency lives between
    containers, meeting only in DynamoDB - which is what this exercises.
    """
    visit_id = fund(shop, 100_00)  # 100 points
    outcomes: list[object] = []

    def spend(n: int) -> None:
        idem = from_request(shop.staff, f"concurrent-{n:04d}", "POST", "/redeem", f'{{"n":{n}}}')
        try:
            outcomes.append(
                ledger.redeem(shop.staff, shop.merchant_id, visit_id, None, 10, idem)["balance"]
            )
        except errors.DomainError as error:
            outcomes.append(error.code)

    workers = [threading.Thread(target=spend, args=(n,)) for n in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    balances = sorted(o for o in outcomes if isinstance(o, int))
    assert balances == list(range(0, 100, 10))  # each success saw a distinct balance
    assert [o for o in outcomes if not isinstance(o, int)] == ["insufficient_points"] * (
        threads - 10
    )
    assert shop.balance() == 0 == ledger_sum(shop)


def test_ten_retries_with_one_key_write_one_entry_and_answer_the_same(shop):
    visit_id = fund(shop, 200_00)
    key = new_key()
    replies = [shop.redeem(visit_id, key=key, points=30) for _ in range(10)]
    assert {r.status for r in replies} == {201}
    assert all(r.body == replies[0].body for r in replies)
    assert shop.balance() == 170 == ledger_sum(shop)
    entries = call("GET", "/transactions", user=shop.customer).body["items"]
    assert [e["kind"] for e in entries] == ["redeem", "earn"]


def test_retried_earn_after_the_visit_is_spent_still_returns_the_first_answer(shop):
    visit_id = shop.scan().body["visit_id"]
    key = new_key()
    first = shop.earn(visit_id, 10_00, key=key)
    clock.advance(11 * 60)  # the visit has expired meanwhile
    again = shop.earn(visit_id, 10_00, key=key)
    assert (again.status, again.body) == (first.status, first.body)
    assert shop.balance() == 10


def test_same_key_for_a_different_request_is_422(shop):
    visit_id = fund(shop, 200_00)
    key = new_key()
    assert shop.redeem(visit_id, key=key, points=30).status == 201
    other = shop.redeem(visit_id, key=key, points=40)
    assert (other.status, other.code) == (422, "idempotency_key_reused")
    assert shop.balance() == 170


def test_idempotency_key_is_required_and_checked(shop):
    visit_id = shop.scan().body["visit_id"]
    path = f"/merchants/{shop.merchant_id}/visits/{visit_id}/earn"
    for headers in ({}, {"Idempotency-Key": "short"}, {"Idempotency-Key": "bad key with spaces"}):
        reply = call("POST", path, user=shop.staff, body={"amount_cents": 100}, headers=headers)
        assert (reply.status, reply.code) == (400, "missing_idempotency_key")
    assert shop.balance() == 0


def test_keys_are_scoped_to_the_caller(shop):
    visit_id = shop.scan().body["visit_id"]
    key = new_key()
    assert shop.earn(visit_id, 10_00, key=key).status == 201
    # The owner using the same key string is a different request, not a replay.
    second = shop.redeem(visit_id, by=shop.owner, key=key, points=5)
    assert second.status == 201
    assert shop.balance() == 5


def test_reverse_an_earn_and_a_redeem(shop):
    visit_id = shop.scan().body["visit_id"]
    earned = shop.earn(visit_id, 300_00).body["transaction"]
    spent = shop.redeem(visit_id, points=100).body["transaction"]
    back = shop.reverse(spent["tx_id"])
    assert back.status == 201
    assert (back.body["transaction"]["kind"], back.body["transaction"]["points"]) == (
        "reversal",
        100,
    )
    assert back.body["transaction"]["reverses"] == spent["tx_id"]
    assert back.body["balance"] == 300
    refund = shop.reverse(earned["tx_id"])
    assert refund.status == 201 and refund.body["balance"] == 0
    assert shop.balance() == 0 == ledger_sum(shop)
    wallet = call("GET", "/wallet", user=shop.customer).body["memberships"][0]
    assert wallet["lifetime_points"] == 0  # a refunded purchase no longer counts for the tier
    history = {
        e["tx_id"]: e for e in call("GET", "/transactions", user=shop.customer).body["items"]
    }
    assert history[earned["tx_id"]]["reversed_by"] == refund.body["transaction"]["tx_id"]


def test_reversing_spent_points_is_409_and_changes_nothing(shop):
    visit_id = shop.scan().body["visit_id"]
    earned = shop.earn(visit_id, 100_00).body["transaction"]
    assert shop.redeem(visit_id, points=60).status == 201
    reply = shop.reverse(earned["tx_id"])
    assert (reply.status, reply.code) == (409, "points_already_spent")
    assert shop.balance() == 40 == ledger_sum(shop)
    entries = call("GET", f"/merchants/{shop.merchant_id}/transactions", user=shop.owner).body[
        "items"
    ]
    assert len(entries) == 2 and all(e["reversed_by"] is None for e in entries)


def test_a_transaction_is_reversed_at_most_once_and_reversals_are_final(shop):
    earned = shop.earn(shop.scan().body["visit_id"], 50_00).body["transaction"]
    first = shop.reverse(earned["tx_id"])
    assert first.status == 201
    again = shop.reverse(earned["tx_id"])
    assert (again.status, again.code) == (409, "already_reversed")
    nested = shop.reverse(first.body["transaction"]["tx_id"])
    assert (nested.status, nested.code) == (409, "not_reversible")
    unknown = shop.reverse("t_doesnotexist")
    assert (unknown.status, unknown.code) == (404, "not_found")
    assert shop.balance() == 0 == ledger_sum(shop)


def test_staff_of_one_business_cannot_act_for_another(shop):
    other = make_shop("b", "Bakery Bo")
    visit_id = shop.scan().body["visit_id"]
    earned = shop.earn(visit_id, 20_00).body["transaction"]
    # b's staff, on a's business: scan, earn, redeem, reverse, ledger, stats.
    assert shop.scan(by=other.staff).status == 403
    assert shop.earn(visit_id, 10_00, by=other.staff).status == 403
    assert shop.redeem(visit_id, by=other.staff, points=1).status == 403
    assert shop.reverse(earned["tx_id"], by=other.staff).status == 403
    assert (
        call("GET", f"/merchants/{shop.merchant_id}/transactions", user=other.staff).status == 403
    )
    assert call("GET", f"/merchants/{shop.merchant_id}/stats", user=other.owner).status == 403
    # a's visit id used under b's business is just unknown there.
    assert other.earn(visit_id, 10_00).status == 404
    assert shop.balance() == 20 == ledger_sum(shop)


def test_removed_staff_lose_access_at_once(shop):
    visit_id = shop.scan().body["visit_id"]
    assert (
        call("DELETE", f"/merchants/{shop.merchant_id}/staff/{shop.staff}", user=shop.owner).status
        == 204
    )
    reply = shop.earn(visit_id, 10_00)  # the warm cache knows the visit; the condition refuses
    assert (reply.status, reply.code) == (403, "forbidden")
    assert shop.balance() == 0


def test_the_warm_cache_never_decides_stale_balances_are_caught_by_the_condition(shop):
    """Another container spent the points; this one's cache still says 100."""
    visit_id = fund(shop, 100_00)
    db.update(
        keys.user(shop.customer),
        keys.member(shop.merchant_id),
        "SET balance = :z, version = version + :one",
        {":z": 0, ":one": 1},
    )
    reply = shop.redeem(visit_id, points=50)
    assert (reply.status, reply.code) == (409, "insufficient_points")
    # ...and a stale *low* balance does not refuse a redemption the real balance covers.
    db.update(
        keys.user(shop.customer),
        keys.member(shop.merchant_id),
        "SET balance = :b, version = version + :one",
        {":b": 80, ":one": 1},
    )
    assert shop.redeem(visit_id, points=60).body["balance"] == 20


def test_the_warm_cache_never_decides_changed_settings_apply_at_once(shop):
    """The owner changed the rule through another container: the settings condition notices."""
    shop.scan()  # warms this container's cache with the old rule
    db.update(
        keys.merchant(shop.merchant_id),
        keys.PROFILE,
        "SET earning_rule = :r, settings_version = settings_version + :one",
        {":r": {"points_per_unit": 5, "min_purchase_cents": 0}, ":one": 1},
    )
    visit_id = shop.scan().body["visit_id"]
    assert shop.earn(visit_id, 10_00).body["transaction"]["points"] == 50


def test_a_balance_that_never_stops_changing_is_409_concurrent_change_and_writes_nothing(
    shop, monkeypatch
):
    """Every attempt loses to another writer: the driver gives up with its own code."""
    visit_id = fund(shop, 100_00)
    attempts = []

    def always_beaten(actions):
        attempts.append(actions)
        raise db.TransactionCancelled([db.Reason("TransactionConflict", None)] * len(actions))

    monkeypatch.setattr(db, "transact", always_beaten)
    reply = shop.redeem(visit_id, points=10)
    monkeypatch.undo()
    assert (reply.status, reply.code) == (409, "concurrent_change")
    assert len(attempts) == ledger.MAX_ATTEMPTS
    assert shop.balance() == 100 == ledger_sum(shop)


def test_reverse_without_a_body(shop):
    earned = shop.earn(shop.scan().body["visit_id"], 10_00).body["transaction"]
    path = f"/merchants/{shop.merchant_id}/transactions/{earned['tx_id']}/reverse"
    reply = call("POST", path, user=shop.owner, headers={"Idempotency-Key": new_key()})
    assert reply.status == 201 and reply.body["balance"] == 0


def test_the_same_key_sent_by_ten_tills_at_once_writes_one_entry(shop):
    """A double-tapped button on several devices: one redemption, one answer for all."""
    visit_id = fund(shop, 100_00)
    outcomes: list[dict] = []

    def tap() -> None:
        idem = from_request(shop.staff, "double-tap-0001", "POST", "/redeem", '{"points":30}')
        try:
            outcomes.append(ledger.redeem(shop.staff, shop.merchant_id, visit_id, None, 30, idem))
        except errors.IdempotentReplay as replay:
            outcomes.append(idem.replay(replay.record)[1])

    workers = [threading.Thread(target=tap) for _ in range(10)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert len(outcomes) == 10 and all(o == outcomes[0] for o in outcomes)
    assert shop.balance() == 70 == ledger_sum(shop)

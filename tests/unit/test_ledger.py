"""Earn, redeem, reverse and idempotency: invariants 1, 2 and 3."""

import json
import threading
import warnings
from dataclasses import replace

import pytest

from backend import clock
from backend.dal import dynamodb as db
from backend.dal import keys
from backend.logic import errors, ledger
from backend.logic.idempotency import from_request
from tests.support.conflicts import conflict_once
from tests.support.world import call, idempotency_key


def ledger_sum(shop, customer) -> int:
    items, cursor = [], None
    while True:
        query = {"merchant_id": shop.merchant_id, "limit": "100"} | (
            {"cursor": cursor} if cursor else {}
        )
        page = call("GET", "/transactions", user=customer, query=query).body
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return sum(i["points"] for i in items)


def fund(world, shop, customer, amount_cents: int):
    """Open a visit and earn; returns the visit."""
    visit = world.visit(shop, customer)
    world.earn(visit, amount_cents).expect(201)
    return visit


def test_earn_follows_the_rule_and_reports_the_new_balance(world, shop, staff, customer):
    visit = world.visit(shop, customer)
    assert visit.answer["balance"] == 0 and visit.answer["tier"]["name"] == "Bronze"
    reply = world.earn(visit, 12_99)  # 12 whole euros x 1 point
    assert reply.status == 201
    tx = reply.body["transaction"]
    assert (tx["kind"], tx["points"], tx["balance_after"], tx["amount_cents"]) == (
        "earn",
        12,
        12,
        1299,
    )
    assert tx["customer_id"] == customer.user_id and tx["staff_id"] == staff.user_id
    assert reply.body["balance"] == 12 == world.balance(customer, shop)


def test_earn_publishes_its_points_metric_and_a_read_publishes_nothing(
    world, shop, customer, capsys
):
    visit = world.visit(shop, customer)
    capsys.readouterr()
    assert world.earn(visit, 12_99).status == 201
    published = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line
    ]
    assert len(published) == 1 and published[0]["PointsEarned"] == [12]  # one EMF blob
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Powertools warns when it flushes an empty set
        assert call("GET", "/wallet", user=customer).status == 200
    assert "_aws" not in capsys.readouterr().out


def test_a_visit_allows_one_earn(world, shop, customer):
    visit = world.visit(shop, customer)
    assert world.earn(visit, 10_00).status == 201
    second = world.earn(visit, 10_00)
    assert (second.status, second.code) == (409, "visit_already_earned")
    assert world.balance(customer, shop) == 10


def test_tier_multiplier_applies_from_lifetime_points_earned_before_the_purchase(
    world, shop, customer
):
    fund(world, shop, customer, 499_00)  # Bronze: 499 points, lifetime 499
    silver_edge = world.earn(world.visit(shop, customer), 1_00)  # still Bronze before: +1
    assert silver_edge.body["transaction"]["points"] == 1
    assert silver_edge.body["tier"]["name"] == "Silver"  # lifetime 500 now
    reply = world.earn(world.visit(shop, customer), 100_00)  # Silver x1.25
    assert reply.body["transaction"]["points"] == 125
    # Spending does not lower the tier: tiers follow lifetime points, not the balance.
    visit = world.visit(shop, customer)
    assert world.redeem(visit, points=600).status == 201
    assert world.earn(visit, 100_00).body["transaction"]["points"] == 125


def test_minimum_purchase_is_refused_and_changes_nothing(world, shop, customer):
    patch = call(
        "PATCH",
        shop.path,
        user=shop.owner,
        body={"earning_rule": {"points_per_unit": 2, "min_purchase_cents": 5_00}},
    )
    assert patch.status == 200, patch.body
    visit = world.visit(shop, customer)
    low = world.earn(visit, 4_99)
    assert (low.status, low.code) == (422, "below_minimum_purchase")
    assert world.earn(visit, 5_00).body["transaction"]["points"] == 10  # the new rule, at once


def test_redeem_a_reward_and_points(world, shop, customer):
    visit = fund(world, shop, customer, 250_00)
    reward = world.redeem(visit, reward_id=shop.reward.reward_id)
    assert reward.status == 201
    assert reward.body["transaction"]["points"] == -100
    assert reward.body["transaction"]["reward_name"] == "Free coffee"
    points = world.redeem(visit, points=50)
    assert points.body["balance"] == 100 == world.balance(customer, shop)
    too_much = world.redeem(visit, points=101)
    assert (too_much.status, too_much.code) == (409, "insufficient_points")
    assert world.balance(customer, shop) == 100


def test_retired_reward_cannot_be_redeemed(world, shop, customer):
    visit = fund(world, shop, customer, 300_00)
    retired = call("DELETE", f"{shop.path}/rewards/{shop.reward.reward_id}", user=shop.owner)
    assert retired.body["active"] is False
    reply = world.redeem(visit, reward_id=shop.reward.reward_id)
    assert (reply.status, reply.code) == (409, "reward_retired")
    unknown = world.redeem(visit, reward_id="r_nope")
    assert (unknown.status, unknown.code) == (404, "not_found")
    assert world.balance(customer, shop) == 300


def test_visit_expires_after_ten_minutes(world, shop, customer):
    visit = world.visit(shop, customer)
    clock.advance(10 * 60 + 1)
    reply = world.earn(visit, 10_00)
    assert (reply.status, reply.code) == (410, "visit_expired")
    assert world.balance(customer, shop) == 0


@pytest.mark.parametrize("threads", [20, 50])
def test_concurrent_redemptions_never_overdraw_and_the_ledger_sums_to_the_balance(
    world, shop, staff, customer, threads
):
    """Many tills at once against one 100-point balance: exactly 10 x 10 points go through.

    Each thread calls the domain directly: a Lambda container serves one request at a time
    (Powertools keeps the current event on the resolver), so concurrency lives between
    containers, meeting only in DynamoDB - which is what this exercises.
    """
    visit = fund(world, shop, customer, 100_00)  # 100 points
    outcomes: list[object] = []

    def spend(n: int) -> None:
        idem = from_request(staff.user_id, f"concurrent-{n:04d}", "POST", "/redeem", f'{{"n":{n}}}')
        try:
            outcomes.append(
                ledger.redeem(staff.user_id, shop.merchant_id, visit.visit_id, None, 10, idem)[
                    "balance"
                ]
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
    assert world.balance(customer, shop) == 0 == ledger_sum(shop, customer)


def test_ten_retries_with_one_key_write_one_entry_and_answer_the_same(world, shop, customer):
    visit = fund(world, shop, customer, 200_00)
    key = idempotency_key()
    replies = [world.redeem(visit, key=key, points=30) for _ in range(10)]
    assert {r.status for r in replies} == {201}
    assert all(r.body == replies[0].body for r in replies)
    assert world.balance(customer, shop) == 170 == ledger_sum(shop, customer)
    entries = call("GET", "/transactions", user=customer).body["items"]
    assert [e["kind"] for e in entries] == ["redeem", "earn"]


def test_retried_earn_after_the_visit_is_spent_still_returns_the_first_answer(
    world, shop, customer
):
    visit = world.visit(shop, customer)
    key = idempotency_key()
    first = world.earn(visit, 10_00, key=key)
    clock.advance(11 * 60)  # the visit has expired meanwhile
    again = world.earn(visit, 10_00, key=key)
    assert (again.status, again.body) == (first.status, first.body)
    assert world.balance(customer, shop) == 10


def test_same_key_for_a_different_request_is_422(world, shop, customer):
    visit = fund(world, shop, customer, 200_00)
    key = idempotency_key()
    assert world.redeem(visit, key=key, points=30).status == 201
    other = world.redeem(visit, key=key, points=40)
    assert (other.status, other.code) == (422, "idempotency_key_reused")
    assert world.balance(customer, shop) == 170


def test_idempotency_key_is_required_and_checked(world, shop, staff, customer):
    visit = world.visit(shop, customer)
    for headers in ({}, {"Idempotency-Key": "short"}, {"Idempotency-Key": "bad key with spaces"}):
        reply = call(
            "POST", f"{visit.path}/earn", user=staff, body={"amount_cents": 100}, headers=headers
        )
        assert (reply.status, reply.code) == (400, "missing_idempotency_key")
    assert world.balance(customer, shop) == 0


def test_keys_are_scoped_to_the_caller(world, shop, customer):
    visit = world.visit(shop, customer)
    key = idempotency_key()
    assert world.earn(visit, 10_00, key=key).status == 201
    # The owner using the same key string is a different request, not a replay.
    second = world.redeem(visit, by=shop.owner, key=key, points=5)
    assert second.status == 201
    assert world.balance(customer, shop) == 5


def test_reverse_an_earn_and_a_redeem(world, shop, customer):
    visit = world.visit(shop, customer)
    earned = world.earn(visit, 300_00).body["transaction"]
    spent = world.redeem(visit, points=100).body["transaction"]
    back = world.reverse(shop, spent["tx_id"])
    assert back.status == 201
    assert (back.body["transaction"]["kind"], back.body["transaction"]["points"]) == (
        "reversal",
        100,
    )
    assert back.body["transaction"]["reverses"] == spent["tx_id"]
    assert back.body["balance"] == 300
    refund = world.reverse(shop, earned["tx_id"])
    assert refund.status == 201 and refund.body["balance"] == 0
    assert world.balance(customer, shop) == 0 == ledger_sum(shop, customer)
    wallet = call("GET", "/wallet", user=customer).body["memberships"][0]
    assert wallet["lifetime_points"] == 0  # a refunded purchase no longer counts for the tier
    history = {e["tx_id"]: e for e in call("GET", "/transactions", user=customer).body["items"]}
    assert history[earned["tx_id"]]["reversed_by"] == refund.body["transaction"]["tx_id"]


def test_reversing_spent_points_is_409_and_changes_nothing(world, shop, customer):
    visit = world.visit(shop, customer)
    earned = world.earn(visit, 100_00).body["transaction"]
    assert world.redeem(visit, points=60).status == 201
    reply = world.reverse(shop, earned["tx_id"])
    assert (reply.status, reply.code) == (409, "points_already_spent")
    assert world.balance(customer, shop) == 40 == ledger_sum(shop, customer)
    entries = call("GET", f"{shop.path}/transactions", user=shop.owner).body["items"]
    assert len(entries) == 2 and all(e["reversed_by"] is None for e in entries)


def test_a_transaction_is_reversed_at_most_once_and_reversals_are_final(world, shop, customer):
    earned = world.earn(world.visit(shop, customer), 50_00).body["transaction"]
    first = world.reverse(shop, earned["tx_id"])
    assert first.status == 201
    again = world.reverse(shop, earned["tx_id"])
    assert (again.status, again.code) == (409, "already_reversed")
    nested = world.reverse(shop, first.body["transaction"]["tx_id"])
    assert (nested.status, nested.code) == (409, "not_reversible")
    unknown = world.reverse(shop, "t_doesnotexist")
    assert (unknown.status, unknown.code) == (404, "not_found")
    assert world.balance(customer, shop) == 0 == ledger_sum(shop, customer)


def test_staff_of_one_business_cannot_act_for_another(world, shop, customer):
    other = world.business(world.owner("Bo Baker"), "Bakery Bo")
    other_staff = world.staff(other)
    visit = world.visit(shop, customer)
    earned = world.earn(visit, 20_00).body["transaction"]
    # b's staff, on a's business: scan, earn, redeem, reverse, ledger, stats.
    assert world.open_visit(shop, world.token(customer)["token"], by=other_staff).status == 403
    assert world.earn(visit, 10_00, by=other_staff).status == 403
    assert world.redeem(visit, by=other_staff, points=1).status == 403
    assert world.reverse(shop, earned["tx_id"], by=other_staff).status == 403
    assert call("GET", f"{shop.path}/transactions", user=other_staff).status == 403
    assert call("GET", f"{shop.path}/stats", user=other.owner).status == 403
    # a's visit id used under b's business is just unknown there.
    assert world.earn(replace(visit, business=other), 10_00, by=other_staff).status == 404
    assert world.balance(customer, shop) == 20 == ledger_sum(shop, customer)


def test_removed_staff_lose_access_at_once(world, shop, staff, customer):
    visit = world.visit(shop, customer)
    assert call("DELETE", f"{shop.path}/staff/{staff.user_id}", user=shop.owner).status == 204
    reply = world.earn(visit, 10_00)  # the warm cache knows the visit; the condition refuses
    assert (reply.status, reply.code) == (403, "forbidden")
    assert world.balance(customer, shop) == 0


def test_the_warm_cache_never_decides_stale_balances_are_caught_by_the_condition(
    world, shop, customer
):
    """Another container spent the points; this one's cache still says 100."""
    visit = fund(world, shop, customer, 100_00)
    db.update(
        keys.user(customer.user_id),
        keys.member(shop.merchant_id),
        "SET balance = :z, version = version + :one",
        {":z": 0, ":one": 1},
    )
    reply = world.redeem(visit, points=50)
    assert (reply.status, reply.code) == (409, "insufficient_points")
    # ...and a stale *low* balance does not refuse a redemption the real balance covers.
    db.update(
        keys.user(customer.user_id),
        keys.member(shop.merchant_id),
        "SET balance = :b, version = version + :one",
        {":b": 80, ":one": 1},
    )
    assert world.redeem(visit, points=60).body["balance"] == 20


def test_the_warm_cache_never_decides_changed_settings_apply_at_once(world, shop, customer):
    """The owner changed the rule through another container: the settings condition notices."""
    world.visit(shop, customer)  # warms this container's cache with the old rule
    db.update(
        keys.merchant(shop.merchant_id),
        keys.PROFILE,
        "SET earning_rule = :r, settings_version = settings_version + :one",
        {":r": {"points_per_unit": 5, "min_purchase_cents": 0}, ":one": 1},
    )
    visit = world.visit(shop, customer)
    assert world.earn(visit, 10_00).body["transaction"]["points"] == 50


def test_a_balance_that_never_stops_changing_is_409_concurrent_change_and_writes_nothing(
    world, shop, customer, monkeypatch
):
    """Every attempt loses to another writer: the driver gives up with its own code."""
    visit = fund(world, shop, customer, 100_00)
    attempts = []

    def always_beaten(actions):
        attempts.append(actions)
        raise db.TransactionCancelled([db.Reason("TransactionConflict", None)] * len(actions))

    monkeypatch.setattr(db, "transact", always_beaten)
    reply = world.redeem(visit, points=10)
    monkeypatch.undo()
    assert (reply.status, reply.code) == (409, "concurrent_change")
    assert len(attempts) == ledger.MAX_ATTEMPTS
    assert world.balance(customer, shop) == 100 == ledger_sum(shop, customer)


def test_a_visit_opened_while_the_same_till_writes_elsewhere_still_opens(
    world, shop, customer, monkeypatch
):
    """Opening a visit checks the till's staff item, which the till's own earns (on another
    device) hold in their transactions: DynamoDB cancels the one that meets the other as a
    conflict. The opening is tried again; the till sees its visit, not a 500."""
    token = world.token(customer)["token"]
    collided = conflict_once(monkeypatch, "transact_write_items")
    opened = world.open_visit(shop, token)
    monkeypatch.undo()
    assert collided and opened.status == 201, opened


def test_reverse_without_a_body(world, shop, customer):
    earned = world.earn(world.visit(shop, customer), 10_00).body["transaction"]
    path = f"{shop.path}/transactions/{earned['tx_id']}/reverse"
    reply = call("POST", path, user=shop.owner, headers={"Idempotency-Key": idempotency_key()})
    assert reply.status == 201 and reply.body["balance"] == 0


def test_the_same_key_sent_by_ten_tills_at_once_writes_one_entry(world, shop, staff, customer):
    """A double-tapped button on several devices: one redemption, one answer for all."""
    visit = fund(world, shop, customer, 100_00)
    outcomes: list[dict] = []

    def tap() -> None:
        idem = from_request(staff.user_id, "double-tap-0001", "POST", "/redeem", '{"points":30}')
        try:
            outcomes.append(
                ledger.redeem(staff.user_id, shop.merchant_id, visit.visit_id, None, 30, idem)
            )
        except errors.IdempotentReplay as replay:
            outcomes.append(idem.replay(replay.record)[1])

    workers = [threading.Thread(target=tap) for _ in range(10)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert len(outcomes) == 10 and all(o == outcomes[0] for o in outcomes)
    assert world.balance(customer, shop) == 70 == ledger_sum(shop, customer)

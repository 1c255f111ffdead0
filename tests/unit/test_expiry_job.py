"""Points expiry: the rule (loyalty/expiry.py), the wallet's notice, and the job that writes
the `expiry` entries: batched, idempotent, never below zero, never what was spent."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from backend import clock
from backend.dal import ledger as store
from backend.logic import expiry as job
from loyalty import expiry
from ops.reconcile import Reconciler
from tests.support.world import call, idempotency_key

DAY = 86_400


def set_policy(shop, months):
    return call("PATCH", shop.path, user=shop.owner, body={"expiry_months": months})


def travel_to(moment: int) -> None:
    clock.advance(moment - clock.now_s())


def run_job(**kwargs):
    return job.run(lambda: 600.0, **kwargs)


def history(customer, shop):
    query = {"merchant_id": shop.merchant_id}
    return call("GET", "/transactions", user=customer, query=query).expect(200)["items"]


def membership(customer, shop):
    wallet = call("GET", "/wallet", user=customer).expect(200)["memberships"]
    return next(m for m in wallet if m["merchant_id"] == shop.merchant_id)


def reconciled(moto_account) -> list[str]:
    from backend import config

    return Reconciler(moto_account, config.TABLE_NAME).run().discrepancies


# ------------------------------------------------------------------ the rule


def test_months_are_calendar_months_with_the_day_clipped():
    def at(text):
        return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())

    assert expiry.add_months(at("2026-01-31T10:00:00"), 1) == at("2026-02-28T10:00:00")
    assert expiry.add_months(at("2028-01-31T10:00:00"), 1) == at("2028-02-29T10:00:00")
    assert expiry.add_months(at("2026-11-15T00:00:00"), 3) == at("2027-02-15T00:00:00")
    assert expiry.add_months(at("2026-03-31T00:00:00"), -1) == at("2026-02-28T00:00:00")


def test_what_expires_when_counts_from_the_last_activity_and_the_policy_notice():
    policy = expiry.Policy(months=12, since_s=0)
    last = 1_800_000_000
    due = expiry.expiring(120, last, policy)
    assert due == expiry.Expiring(120, expiry.add_months(last, 12))
    assert not due.due(due.at_s - 1) and due.due(due.at_s)
    assert not due.noticeable(due.at_s - 31 * DAY) and due.noticeable(due.at_s - 30 * DAY)
    # A policy set today gives a dormant balance 30 days first.
    fresh = expiry.Policy(months=12, since_s=last + 5 * 365 * DAY)
    assert expiry.expiring(120, last, fresh).at_s == fresh.since_s + 30 * DAY
    assert expiry.expiring(0, last, policy) is None
    assert expiry.expiring(120, last, None) is None
    assert expiry.expiring(120, None, policy) is None


def test_the_job_reads_a_cutoff_that_covers_every_clipped_month():
    """31 January + 1 month is 28 February: the idle index's cutoff must still reach it."""
    policy = expiry.Policy(months=1, since_s=0)
    for last_text, now_text in [
        ("2026-01-31T23:00:00", "2026-02-28T23:00:00"),
        ("2026-01-29T23:00:00", "2026-03-01T10:00:00"),
        ("2026-03-31T12:00:00", "2026-04-30T12:00:00"),
    ]:
        last = int(datetime.fromisoformat(last_text).replace(tzinfo=UTC).timestamp())
        now = int(datetime.fromisoformat(now_text).replace(tzinfo=UTC).timestamp())
        assert expiry.expiring(10, last, policy).due(now), last_text
        assert last <= expiry.idle_cutoff(policy, now), last_text


# ------------------------------------------------------------------ the job


def test_nothing_expires_without_a_policy(world, shop, customer):
    world.earn(world.visit(shop, customer), 100_00).expect(201)
    clock.advance(5 * 365 * DAY)
    assert run_job().expired == 0
    assert world.balance(customer, shop) == 100
    assert membership(customer, shop)["expiry"] is None


def test_points_expire_after_the_months_without_a_visit(world, shop, customer, moto_account):
    set_policy(shop, 12).expect(200)
    world.earn(world.visit(shop, customer), 100_00).expect(201)
    last = clock.now_s()
    due_at = expiry.add_months(last, 12)
    travel_to(due_at - 31 * DAY)
    ahead = membership(customer, shop)["expiry"]
    assert (ahead["points"], ahead["notice"]) == (100, False)
    travel_to(due_at - 30 * DAY)
    assert membership(customer, shop)["expiry"]["notice"] is True  # the wallet says so now
    assert membership(customer, shop)["expiry"]["expires_on"] == clock.iso(due_at)[:10]
    travel_to(due_at - 60)
    assert run_job().expired == 0 and world.balance(customer, shop) == 100
    travel_to(due_at)
    done = run_job()
    assert (done.expired, done.points, done.finished) == (1, 100, True)
    entry = history(customer, shop)[0]
    assert (entry["kind"], entry["points"], entry["balance_after"]) == ("expiry", -100, 0)
    assert entry["staff_id"] is None
    assert world.balance(customer, shop) == 0 and membership(customer, shop)["expiry"] is None
    assert membership(customer, shop)["lifetime_points"] == 100  # the tier is kept
    assert reconciled(moto_account) == []


def test_a_partial_redemption_leaves_the_rest_to_expire_later(world, shop, customer, moto_account):
    """Spent points are gone before the expiry; a redemption is a visit: the clock restarts."""
    set_policy(shop, 12).expect(200)
    visit = world.visit(shop, customer)
    world.earn(visit, 100_00).expect(201)
    earned_at = clock.now_s()
    clock.advance(60 * DAY)
    world.redeem(world.visit(shop, customer), points=30).expect(201)
    redeemed_at = clock.now_s()
    travel_to(expiry.add_months(earned_at, 12) + DAY)
    assert run_job().expired == 0 and world.balance(customer, shop) == 70
    travel_to(expiry.add_months(redeemed_at, 12))
    assert run_job().points == 70
    assert [e["points"] for e in history(customer, shop)] == [-70, -30, 100]
    assert world.balance(customer, shop) == 0 and reconciled(moto_account) == []


def test_a_visit_before_the_date_keeps_the_points(world, shop, customer):
    set_policy(shop, 6).expect(200)
    world.earn(world.visit(shop, customer), 50_00).expect(201)
    travel_to(expiry.add_months(clock.now_s(), 6) - DAY)
    world.earn(world.visit(shop, customer), 1_00).expect(201)
    clock.advance(2 * DAY)
    assert run_job().expired == 0 and world.balance(customer, shop) == 51


def test_a_claim_and_an_adjustment_restart_the_clock_and_a_refund_does_not(world, shop, customer):
    set_policy(shop, 6).expect(200)
    world.earn(world.visit(shop, customer), 50_00).expect(201)
    travel_to(expiry.add_months(clock.now_s(), 6) - DAY)
    code = call(
        "POST", f"{shop.path}/claim-codes", user=shop.till, body={"amount_cents": 1_00}
    ).expect(201)["code"]
    call(
        "POST",
        "/claims",
        user=customer,
        body={"code": code},
        headers={"Idempotency-Key": idempotency_key()},
    ).expect(201)
    claimed_at = clock.now_s()
    travel_to(expiry.add_months(claimed_at, 6) - DAY)
    adjusted = call(
        "POST",
        f"{shop.path}/members/{customer.user_id}/adjustments",
        user=shop.owner,
        body={"points": 5, "reason": "goodwill"},
        headers={"Idempotency-Key": idempotency_key()},
    ).expect(201)
    assert (
        membership(customer, shop)["expiry"]["expires_on"]
        == clock.iso(expiry.add_months(clock.now_s(), 6))[:10]
    )
    adjusted_at = clock.now_s()
    travel_to(expiry.add_months(adjusted_at, 6) - DAY)
    world.reverse(shop, adjusted["transaction"]["tx_id"], by=shop.owner).expect(201)  # a refund
    travel_to(expiry.add_months(adjusted_at, 6))
    assert run_job().points == 51


def test_a_new_policy_gives_dormant_balances_thirty_days_and_the_wallet_says_so(
    world, shop, customer
):
    world.earn(world.visit(shop, customer), 80_00).expect(201)
    clock.advance(3 * 365 * DAY)
    set_policy(shop, 12).expect(200)
    since = clock.now_s()
    notice = membership(customer, shop)["expiry"]
    assert (notice["points"], notice["notice"]) == (80, True)
    assert notice["expires_on"] == clock.iso(since + 30 * DAY)[:10]
    travel_to(since + 30 * DAY - 60)
    assert run_job().expired == 0
    travel_to(since + 30 * DAY)
    assert run_job().points == 80


def test_changing_the_policy_restarts_the_notice_but_saving_it_unchanged_does_not(world, shop):
    set_policy(shop, 12).expect(200)
    profile = store.db.get(f"MERCHANT#{shop.merchant_id}", "PROFILE")
    clock.advance(DAY)
    set_policy(shop, 12).expect(200)
    assert (
        store.db.get(f"MERCHANT#{shop.merchant_id}", "PROFILE")["expiry_since"]
        == profile["expiry_since"]
    )
    set_policy(shop, 6).expect(200)
    assert store.db.get(f"MERCHANT#{shop.merchant_id}", "PROFILE")["expiry_since"] == clock.now_s()
    assert set_policy(shop, 0).expect(200)["expiry_months"] == 0
    assert store.db.get("EXPIRY_POLICIES", f"MERCHANT#{shop.merchant_id}") is None


def test_only_the_owner_sets_the_policy(shop, staff):
    reply = call("PATCH", shop.path, user=staff, body={"expiry_months": 3})
    assert (reply.status, reply.code) == (403, "owner_only")
    assert call("GET", shop.path, user=staff).body["expiry_months"] == 0


def test_a_replayed_run_writes_nothing_twice(world, shop, customer, moto_account):
    """Attack/failure: EventBridge delivers a run twice, or two runs overlap."""
    set_policy(shop, 6).expect(200)
    world.earn(world.visit(shop, customer), 40_00).expect(201)
    travel_to(expiry.add_months(clock.now_s(), 6) + DAY)
    policy = expiry.Policy(6, 0)
    results: list[object] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(
                job.expire_membership(shop.merchant_id, customer.user_id, policy)
            )
        )
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1
    assert run_job().expired == 0
    assert [e["kind"] for e in history(customer, shop)] == ["expiry", "earn"]
    assert world.balance(customer, shop) == 0 and reconciled(moto_account) == []


def test_a_customer_cannot_block_their_expiry_with_the_jobs_key(world, shop, customer):
    """Attack: the customer plants a success under the key the job will use for them (a
    receipt claimed at another business, sent with that Idempotency-Key)."""
    set_policy(shop, 6).expect(200)
    world.earn(world.visit(shop, customer), 40_00).expect(201)
    due_at = expiry.add_months(clock.now_s(), 6)
    other = world.business(world.owner("Nora Nopolicy"), "Bakery Nora")
    code = call(
        "POST", f"{other.path}/claim-codes", user=other.owner, body={"amount_cents": 1_00}
    ).expect(201)["code"]
    call(
        "POST",
        "/claims",
        user=customer,
        body={"code": code},
        headers={
            "Idempotency-Key": job._idempotency(shop.merchant_id, customer.user_id, due_at).key
        },
    ).expect(201)
    travel_to(due_at)
    assert run_job().expired == 1 and world.balance(customer, shop) == 0


def test_the_job_expires_the_balance_as_it_is_not_as_the_index_said(
    world, shop, customer, monkeypatch
):
    """The index is read eventually consistent: the transaction conditions on what is true."""
    set_policy(shop, 6).expect(200)
    world.earn(world.visit(shop, customer), 100_00).expect(201)
    refund = world.earn(world.visit(shop, customer), 20_00).expect(201)["transaction"]
    due_at = expiry.add_months(clock.now_s(), 6)
    travel_to(due_at)
    stale, _ = store.idle_members(shop.merchant_id, clock.iso(), 10, None)
    assert stale[0]["balance"] == 120
    world.reverse(shop, refund["tx_id"], by=shop.owner).expect(201)  # not a visit
    monkeypatch.setattr(store, "idle_members", lambda *a: (stale, None))
    assert run_job().points == 100
    assert world.balance(customer, shop) == 0


def test_a_run_stops_in_time_and_the_next_one_carries_on(world, shop):
    set_policy(shop, 6).expect(200)
    people = [world.customer(f"Sleeper {i}") for i in range(5)]
    for person in people:
        world.earn(world.visit(shop, person), 10_00).expect(201)
    travel_to(expiry.add_months(clock.now_s(), 6) + DAY)
    budget = iter([600.0, 600.0, 0.0])
    first = job.run(lambda: next(budget, 0.0))
    assert (first.expired, first.finished) == (2, False)
    second = run_job()
    assert (second.expired, second.finished) == (3, True)
    assert all(world.balance(p, shop) == 0 for p in people)


@pytest.mark.parametrize("pages", [1, 3])
def test_the_job_reads_the_index_a_page_at_a_time(world, shop, monkeypatch, pages):
    set_policy(shop, 6).expect(200)
    monkeypatch.setattr(job, "PAGE", 2)
    people = [world.customer(f"Idle {i}") for i in range(2 * pages - 1)]
    for person in people:
        world.earn(world.visit(shop, person), 10_00).expect(201)
    travel_to(expiry.add_months(clock.now_s(), 6) + DAY)
    assert run_job().expired == len(people)


def test_expiry_is_per_business(world, shop, customer):
    other = world.business(world.owner("Nora Nopolicy"), "Bakery Nora")
    set_policy(shop, 6).expect(200)
    world.earn(world.visit(shop, customer), 10_00).expect(201)
    world.earn(world.visit(other, customer), 10_00).expect(201)
    travel_to(expiry.add_months(clock.now_s(), 6) + DAY)
    run_job()
    assert (world.balance(customer, shop), world.balance(customer, other)) == (0, 10)


def test_the_scheduled_handler_runs_the_job_and_reports_it(world, shop, customer, capsys):
    """What EventBridge invokes (template.yaml `ExpiryFunction`): one run, its figures."""
    from backend.events import expiry as scheduled
    from tests.support.lambda_events import LambdaContext

    set_policy(shop, 6).expect(200)
    world.earn(world.visit(shop, customer), 25_00).expect(201)
    travel_to(expiry.add_months(clock.now_s(), 6))
    event = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.scheduler"}
    capsys.readouterr()
    report = scheduled.handler(event, LambdaContext())
    assert (report["expired"], report["points"], report["finished"]) == (1, 25, True)
    assert '"PointsExpired":[25.0]' in capsys.readouterr().out.replace(" ", "")
    assert world.balance(customer, shop) == 0
    assert scheduled.handler(event, LambdaContext())["expired"] == 0

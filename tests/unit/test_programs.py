"""Stamp cards, promotions and tier benefits through the API (in-process, on moto).

Each is part of the ledger: one entry per change in the balance transaction (the ledger
sums to the balance and to the stamps), the rules from loyalty/, and the attacks on them
(two tills racing for one free reward or one welcome bonus, staff stacking promotions, an
owner back-dating one, a stale warm cache).
"""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from backend import clock
from backend.dal import dynamodb as db
from backend.dal import keys
from backend.dal import ledger as store
from backend.logic import errors, ledger
from backend.logic.idempotency import from_request
from tests.support.world import call

BERLIN = "Europe/Berlin"


def history(world, shop, customer) -> list[dict]:
    """The customer's entries at the shop, newest first."""
    query = {"merchant_id": shop.merchant_id, "limit": "100"}
    return call("GET", "/transactions", user=customer, query=query).expect(200)["items"]


def membership(customer, shop) -> dict:
    wallet = call("GET", "/wallet", user=customer).expect(200)["memberships"]
    return next(m for m in wallet if m["merchant_id"] == shop.merchant_id)


def sums_add_up(world, shop, customer) -> None:
    """Invariant 2, stamps included: the ledger sums to the balance and to the stamps."""
    entries = history(world, shop, customer)
    member = membership(customer, shop)
    assert member["balance"] == sum(e["points"] for e in entries)
    assert member["stamps"] == sum(e["stamps"] for e in entries)


def travel_to(utc_text: str) -> None:
    """Move the one clock to an instant given in UTC ('2027-03-23 15:00')."""
    target = datetime.fromisoformat(utc_text + "+00:00").timestamp()
    clock.reset()
    clock.advance(target - clock.now())


def travel_to_local(zone: str, local_text: str) -> None:
    """Move the one clock to a wall-clock time at the business."""
    target = datetime.fromisoformat(local_text).replace(tzinfo=ZoneInfo(zone)).timestamp()
    clock.reset()
    clock.advance(target - clock.now())


def earn_in_new_visit(world, shop, customer, cents: int, **kwargs):
    return world.earn(world.visit(shop, customer, **kwargs), cents)


# ------------------------------------------------------------------ stamp cards


def test_stamps_at_n_minus_1_n_and_n_plus_1(world, shop, customer):
    """A 3-stamp card: not full at 2, full at 3, full with 1 towards the next at 4."""
    card = world.stamp_card(shop, stamps_needed=3, reward_name="Free cake")
    assert card == {
        "active": True,
        "stamps_needed": 3,
        "reward_name": "Free cake",
        "min_purchase_cents": 0,
        "replaces_points": False,
    }
    for expected in (1, 2):
        reply = earn_in_new_visit(world, shop, customer, 4_00).expect(201)
        assert (reply["stamps"], reply["transaction"]["stamps"]) == (expected, 1)
        assert reply["transaction"]["stamps_needed"] == 3
    at_n_minus_1 = world.redeem(world.visit(shop, customer), stamp_card=True)
    assert (at_n_minus_1.status, at_n_minus_1.code) == (409, "stamp_card_not_full")
    assert earn_in_new_visit(world, shop, customer, 4_00).expect(201)["stamps"] == 3  # N
    assert earn_in_new_visit(world, shop, customer, 4_00).expect(201)["stamps"] == 4  # N+1
    visit = world.visit(shop, customer)
    assert visit.answer["stamps"] == 4 and visit.answer["stamp_card"]["stamps_needed"] == 3
    given = world.redeem(visit, stamp_card=True).expect(201)
    tx = given["transaction"]
    assert (tx["kind"], tx["points"], tx["stamps"], tx["stamps_after"]) == (
        "stamp_redeem",
        0,
        -3,
        1,
    )
    assert tx["reward_name"] == "Free cake" and given["stamps"] == 1 and given["balance"] == 16
    again = world.redeem(visit, stamp_card=True)  # 1 stamp left: the card restarted
    assert (again.status, again.code) == (409, "stamp_card_not_full")
    assert membership(customer, shop)["stamps"] == 1
    sums_add_up(world, shop, customer)


def test_one_earn_per_visit_is_one_stamp_per_visit(world, shop, customer):
    world.stamp_card(shop)
    visit = world.visit(shop, customer)
    world.earn(visit, 5_00).expect(201)
    second = world.earn(visit, 5_00)
    assert (second.status, second.code) == (409, "visit_already_earned")
    assert membership(customer, shop)["stamps"] == 1


def test_a_stamp_needs_the_card_s_minimum_and_points_need_the_rule_s(world, shop, customer):
    call(
        "PATCH",
        shop.path,
        user=shop.owner,
        body={"earning_rule": {"points_per_unit": 1, "min_purchase_cents": 10_00}},
    ).expect(200)
    world.stamp_card(shop, min_purchase_cents=3_00)
    under_both = earn_in_new_visit(world, shop, customer, 2_99)
    assert (under_both.status, under_both.code) == (422, "below_minimum_purchase")
    stamp_only = earn_in_new_visit(world, shop, customer, 5_00).expect(201)
    assert (stamp_only["transaction"]["points"], stamp_only["stamps"]) == (0, 1)
    both = earn_in_new_visit(world, shop, customer, 12_00).expect(201)
    assert (both["transaction"]["points"], both["stamps"]) == (12, 2)
    sums_add_up(world, shop, customer)


def test_a_card_can_replace_points(world, shop, customer):
    world.stamp_card(shop, replaces_points=True)
    world.promotion(shop)  # x2: nothing to double
    reply = earn_in_new_visit(world, shop, customer, 50_00).expect(201)
    tx = reply["transaction"]
    assert (tx["points"], tx["stamps"], tx["promotion_id"], reply["balance"]) == (0, 1, None, 0)


def test_a_refund_takes_its_stamp_back_but_never_one_already_spent(world, shop, customer):
    world.stamp_card(shop, stamps_needed=2)
    first = earn_in_new_visit(world, shop, customer, 3_00).expect(201)["transaction"]
    refunded = world.reverse(shop, first["tx_id"]).expect(201)
    assert (refunded["transaction"]["stamps"], refunded["stamps"]) == (-1, 0)
    second = earn_in_new_visit(world, shop, customer, 3_00).expect(201)["transaction"]
    earn_in_new_visit(world, shop, customer, 3_00).expect(201)
    card = world.redeem(world.visit(shop, customer), stamp_card=True).expect(201)["transaction"]
    before = membership(customer, shop)
    spent = world.reverse(shop, second["tx_id"])  # its stamp made the free reward
    assert (spent.status, spent.code) == (409, "stamps_already_spent")
    assert membership(customer, shop) == before
    given_back = world.reverse(shop, card["tx_id"]).expect(201)  # the reward was refunded
    assert (given_back["transaction"]["stamps"], given_back["stamps"]) == (2, 2)
    assert world.reverse(shop, second["tx_id"]).expect(201)["stamps"] == 1
    sums_add_up(world, shop, customer)


def test_a_paused_card_keeps_the_stamps_and_gives_no_more(world, shop, customer):
    world.stamp_card(shop, stamps_needed=2)
    earn_in_new_visit(world, shop, customer, 3_00).expect(201)
    earn_in_new_visit(world, shop, customer, 3_00).expect(201)
    world.stamp_card(shop, stamps_needed=2, active=False)
    assert earn_in_new_visit(world, shop, customer, 3_00).expect(201)["stamps"] == 2
    paused = world.redeem(world.visit(shop, customer), stamp_card=True)
    assert (paused.status, paused.code) == (409, "no_stamp_card")
    world.stamp_card(shop, stamps_needed=2)
    assert world.redeem(world.visit(shop, customer), stamp_card=True).expect(201)["stamps"] == 0


def race(*calls) -> list:
    """Run the domain calls at once (each thread a Lambda container); what each answered."""
    outcomes: list = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i: int) -> None:
        start.wait()
        try:
            outcomes[i] = calls[i]()
        except errors.DomainError as error:
            outcomes[i] = error.code

    workers = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return outcomes


def drafted_together(monkeypatch, parties: int) -> None:
    """Hold each first commit until every party has drafted: they all draft from the same
    state, as two tills tapping at the same moment would."""
    barrier, commit, seen = threading.Barrier(parties), store.commit, set()

    def held(change):
        me = threading.get_ident()
        if me not in seen:
            seen.add(me)
            barrier.wait(timeout=10)
        return commit(change)

    monkeypatch.setattr(store, "commit", held)


def test_two_tills_giving_one_full_card_at_once_give_one_reward(
    world, shop, staff, customer, monkeypatch
):
    """Attack: one full card shown at two tills at once for two free coffees."""
    world.stamp_card(shop, stamps_needed=2)
    earn_in_new_visit(world, shop, customer, 3_00).expect(201)
    earn_in_new_visit(world, shop, customer, 3_00).expect(201)
    here, there = world.visit(shop, customer), world.visit(shop, customer, by=shop.owner)
    drafted_together(monkeypatch, 2)

    def give(visit, who, key):
        idem = from_request(who.user_id, key, "POST", "/redeem", '{"stamp_card":true}')
        return ledger.redeem_stamp_card(who.user_id, shop.merchant_id, visit.visit_id, idem)[
            "stamps"
        ]

    outcomes = race(
        lambda: give(here, staff, "till-one-0001"), lambda: give(there, shop.owner, "till-two-0001")
    )
    monkeypatch.undo()
    assert sorted(outcomes, key=str) == [0, "stamp_card_not_full"]
    assert membership(customer, shop)["stamps"] == 0
    assert [e["kind"] for e in history(world, shop, customer)].count("stamp_redeem") == 1
    sums_add_up(world, shop, customer)


def test_the_customer_s_screen_reads_the_stamp(world, shop, customer):
    world.stamp_card(shop, stamps_needed=10)
    token = world.token(customer)
    visit = world.visit(shop, code=token["token"])
    world.earn(visit, 5_00).expect(201)
    status = call("GET", f"/qr-tokens/{token['token_id']}", user=customer).expect(200)
    (activity,) = status["activity"]
    assert (activity["stamps"], activity["stamps_after"], activity["stamps_needed"]) == (1, 1, 10)
    assert status["stamps"] == 1


# ------------------------------------------------------------------ promotions


def test_promotions_are_the_owner_s_and_staff_read_them(world, shop, staff, customer):
    created = world.promotion(
        shop, "Double Tuesdays", weekdays=[2], from_time="16:00", until_time="18:00"
    )
    assert created["description"] == "x2 points, Tue 16:00-18:00, from 2026-01-01"
    assert created["status"] == "running"
    path = f"{shop.path}/promotions"
    listed = call("GET", path, user=staff).expect(200)
    assert listed["time_zone"] == "UTC"
    assert [p["promotion_id"] for p in listed["promotions"]] == [created["promotion_id"]]
    body = {"name": "Mine", "kind": "bonus", "bonus_points": 500, "starts_on": "2026-01-01"}
    for who in (staff, customer):  # staff cannot give themselves a promotion to stack
        assert call("POST", path, user=who, body=body).status == 403
        patch = call("PATCH", f"{path}/{created['promotion_id']}", user=who, body={"name": "x"})
        assert patch.status == 403
    assert call("GET", path, user=customer).status == 403
    changed = call(
        "PATCH",
        f"{path}/{created['promotion_id']}",
        user=shop.owner,
        body={"ends_on": "2026-02-01"},
    ).expect(200)
    assert changed["status"] == "ended" and changed["ends_on"] == "2026-02-01"
    opened = call(
        "PATCH", f"{path}/{created['promotion_id']}", user=shop.owner, body={"ends_on": None}
    ).expect(200)
    assert opened["ends_on"] is None and opened["status"] == "running"
    to_bonus = call(
        "PATCH",
        f"{path}/{created['promotion_id']}",
        user=shop.owner,
        body={"kind": "bonus", "bonus_points": 20},
    ).expect(200)
    assert (to_bonus["multiplier_pct"], to_bonus["bonus_points"]) == (None, 20)
    assert call("DELETE", f"{path}/{created['promotion_id']}", user=staff).status == 403
    assert call("DELETE", f"{path}/{created['promotion_id']}", user=shop.owner).status == 204
    gone = call("DELETE", f"{path}/{created['promotion_id']}", user=shop.owner)
    assert (gone.status, gone.code) == (404, "not_found")
    assert call("GET", path, user=staff).expect(200)["promotions"] == []


def test_another_business_s_promotion_is_not_found(world, shop):
    other = world.business(world.owner(), "Other Café")
    theirs = world.promotion(other)
    path = f"{shop.path}/promotions/{theirs['promotion_id']}"
    assert call("PATCH", path, user=shop.owner, body={"name": "x"}).status == 404
    assert call("DELETE", path, user=shop.owner).status == 404


def test_a_business_has_at_most_twenty_promotions(world, shop):
    for n in range(20):
        world.promotion(shop, f"Promo {n}")
    extra = call(
        "POST",
        f"{shop.path}/promotions",
        user=shop.owner,
        body={"name": "One more", "kind": "bonus", "bonus_points": 5, "starts_on": "2026-01-01"},
    )
    assert (extra.status, extra.code) == (409, "too_many_promotions")


@pytest.mark.parametrize(
    ("instant", "applies"),
    [
        ("2027-03-23 14:59", False),  # Tuesday 15:59 CET
        ("2027-03-23 15:00", True),  # 16:00 CET: the first minute
        ("2027-03-23 16:59", True),  # 17:59 CET: the last minute
        ("2027-03-23 17:00", False),  # 18:00 CET
        ("2027-03-30 13:59", False),  # after the change to summer time: 15:59 CEST
        ("2027-03-30 14:00", True),  # 16:00 CEST
        ("2027-03-30 15:59", True),  # 17:59 CEST
        ("2027-03-30 16:00", False),  # 18:00 CEST
    ],
)
def test_an_earn_gets_the_promotion_from_its_first_to_its_last_minute_in_the_business_s_time_zone(
    world, shop, customer, instant, applies
):
    call("PATCH", shop.path, user=shop.owner, body={"time_zone": BERLIN}).expect(200)
    promo = world.promotion(
        shop, "Double Tuesdays", weekdays=[2], from_time="16:00", until_time="18:00"
    )
    travel_to(instant)
    tx = earn_in_new_visit(world, shop, customer, 12_00).expect(201)["transaction"]
    if applies:
        assert (tx["points"], tx["promotion_id"], tx["promotion_points"]) == (
            24,
            promo["promotion_id"],
            12,
        )
        assert tx["promotion_name"] == "Double Tuesdays"
    else:
        assert (tx["points"], tx["promotion_id"], tx["promotion_points"]) == (12, None, 0)


def test_the_time_zone_decides_which_day_it_is(world, shop, customer):
    world.promotion(shop, "Tuesdays", weekdays=[2])
    travel_to("2027-03-22 11:30")  # Monday in UTC, Tuesday 00:30 in Auckland
    assert (
        earn_in_new_visit(world, shop, customer, 10_00).expect(201)["transaction"]["points"] == 10
    )
    call("PATCH", shop.path, user=shop.owner, body={"time_zone": "Pacific/Auckland"}).expect(200)
    assert (
        earn_in_new_visit(world, shop, customer, 10_00).expect(201)["transaction"]["points"] == 20
    )


def test_overlapping_promotions_never_stack_and_the_figures_count_each(world, shop, customer):
    """Two promotions in force: the better one for each purchase, recorded on the entry;
    the figures count what each added, and a refund takes its part back."""
    double = world.promotion(shop, "Double")
    bonus = world.promotion(shop, "Plus fifty", kind="bonus", bonus_points=50)
    small = earn_in_new_visit(world, shop, customer, 10_00).expect(201)["transaction"]
    big = earn_in_new_visit(world, shop, customer, 80_00).expect(201)["transaction"]
    assert (small["points"], small["promotion_id"]) == (60, bonus["promotion_id"])
    assert (big["points"], big["promotion_id"]) == (160, double["promotion_id"])
    refunded = world.reverse(shop, small["tx_id"]).expect(201)["transaction"]
    assert (refunded["promotion_id"], refunded["promotion_points"]) == (bonus["promotion_id"], -50)
    earn_in_new_visit(world, shop, customer, 5_00).expect(201)  # +50 again
    figures = call("GET", f"{shop.path}/stats", user=shop.owner, query={"days": "7"}).expect(200)
    by_name = {p["name"]: p for p in figures["promotions"]}
    assert by_name["Double"] == {
        "promotion_id": double["promotion_id"],
        "name": "Double",
        "points_issued": 80,
        "purchases": 1,
    }
    assert (by_name["Plus fifty"]["points_issued"], by_name["Plus fifty"]["purchases"]) == (50, 1)
    assert figures["points_issued"] == 160 + 55
    sums_add_up(world, shop, customer)


def test_nobody_at_the_till_can_name_a_promotion(world, shop, customer):
    """Attack: staff adding a promotion (or a bonus) to an earn's body."""
    promo = world.promotion(shop, "Plus five", kind="bonus", bonus_points=5)
    visit = world.visit(shop, customer)
    for extra in ({"promotion_id": promo["promotion_id"]}, {"bonus_points": 500}):
        reply = call(
            "POST",
            f"{visit.path}/earn",
            user=visit.by,
            body={"amount_cents": 10_00, **extra},
            headers={"Idempotency-Key": "stack-attempt-" + next(iter(extra))},
        )
        assert (reply.status, reply.code) == (422, "validation_error")
    assert world.earn(visit, 10_00).expect(201)["transaction"]["points"] == 15


def test_back_dating_or_editing_a_promotion_rewrites_no_entry(world, shop, customer):
    """Attack: the owner back-dates a promotion (or renames it) after purchases were made."""
    before = earn_in_new_visit(world, shop, customer, 10_00).expect(201)["transaction"]
    figures_before = call("GET", f"{shop.path}/stats", user=shop.owner, query={"days": "7"}).body
    promo = world.promotion(
        shop, "Back-dated", kind="bonus", bonus_points=99, starts_on="2020-01-01"
    )
    assert history(world, shop, customer)[0] == before  # unchanged
    assert call("GET", f"{shop.path}/stats", user=shop.owner, query={"days": "7"}).body == (
        figures_before | {"promotions": []}
    )
    during = earn_in_new_visit(world, shop, customer, 10_00).expect(201)["transaction"]
    assert during["promotion_name"] == "Back-dated" and during["points"] == 109
    call(
        "PATCH",
        f"{shop.path}/promotions/{promo['promotion_id']}",
        user=shop.owner,
        body={"name": "Renamed", "bonus_points": 1000},
    ).expect(200)
    recorded = next(e for e in history(world, shop, customer) if e["tx_id"] == during["tx_id"])
    assert (recorded["promotion_name"], recorded["points"]) == ("Back-dated", 109)
    sums_add_up(world, shop, customer)


def test_a_promotion_changed_by_another_container_applies_as_it_is_at_the_award(
    world, shop, customer
):
    """The till's container cached the promotions at the scan; another one changed them:
    the earn's settings check refuses the stale draft and the award uses the new ones."""
    world.promotion(shop, "Double")
    visit = world.visit(shop, customer)  # this container's cache: x2
    profile = db.get(keys.merchant(shop.merchant_id), keys.PROFILE, consistent=True)
    tripled = [{**profile["promotions"][0], "multiplier_pct": 300}]
    db.update(
        keys.merchant(shop.merchant_id),
        keys.PROFILE,
        "SET promotions = :p, settings_version = settings_version + :one",
        {":p": tripled, ":one": 1},
    )
    assert world.earn(visit, 10_00).expect(201)["transaction"]["points"] == 30


def test_a_welcome_bonus_goes_to_the_first_visit_only(world, shop, customer):
    world.promotion(shop, "Welcome", kind="welcome", bonus_points=50)
    first_visit = world.visit(shop, customer)
    assert first_visit.answer["first_visit"] is True
    first = world.earn(first_visit, 10_00).expect(201)["transaction"]
    assert (first["points"], first["promotion_name"]) == (60, "Welcome")
    assert world.visit(shop, customer).answer["first_visit"] is False
    # Refunding the first purchase does not make the next one a first visit again.
    world.reverse(shop, first["tx_id"]).expect(201)
    again = earn_in_new_visit(world, shop, customer, 10_00).expect(201)["transaction"]
    assert (again["points"], again["promotion_id"]) == (10, None)
    sums_add_up(world, shop, customer)


def test_two_visits_racing_for_the_welcome_bonus_get_it_once(
    world, shop, staff, customer, monkeypatch
):
    """Attack: a new customer shows two codes at two tills at once to be welcomed twice."""
    world.promotion(shop, "Welcome", kind="welcome", bonus_points=50)
    here, there = world.visit(shop, customer), world.visit(shop, customer, by=shop.owner)
    assert here.answer["first_visit"] and there.answer["first_visit"]
    drafted_together(monkeypatch, 2)

    def earn(visit, who, key):
        idem = from_request(who.user_id, key, "POST", "/earn", '{"amount_cents":1000}')
        tx = ledger.earn(who.user_id, shop.merchant_id, visit.visit_id, 10_00, idem)
        return tx["transaction"]["points"]

    outcomes = race(
        lambda: earn(here, staff, "welcome-one-01"),
        lambda: earn(there, shop.owner, "welcome-two-01"),
    )
    monkeypatch.undo()
    assert sorted(outcomes) == [10, 60]
    assert membership(customer, shop)["balance"] == 70
    welcomed = [e for e in history(world, shop, customer) if e["promotion_name"] == "Welcome"]
    assert len(welcomed) == 1
    sums_add_up(world, shop, customer)


def test_customers_see_the_running_promotions_and_the_stamp_card(world, shop, customer):
    world.stamp_card(shop, stamps_needed=8, reward_name="Free bun")
    world.promotion(shop, "Ended", starts_on="2026-01-01", ends_on="2026-01-31")
    running = world.promotion(shop, "Double")
    earn_in_new_visit(world, shop, customer, 10_00).expect(201)
    card = membership(customer, shop)
    assert card["stamps"] == 1 and card["stamp_card"]["reward_name"] == "Free bun"
    assert [p["promotion_id"] for p in card["promotions"]] == [running["promotion_id"]]
    merchant = call("GET", shop.path, user=customer).expect(200)
    assert [p["name"] for p in merchant["promotions"]] == ["Double"]
    assert merchant["time_zone"] == "UTC" and merchant["stamp_card"]["stamps_needed"] == 8


# ------------------------------------------------------------------ tier benefits


def test_a_gold_only_reward_is_locked_below_gold_and_refused_with_its_own_code(
    world, shop, customer
):
    gold = call(
        "POST",
        f"{shop.path}/rewards",
        user=shop.owner,
        body={"name": "Gold cake", "cost_points": 50, "min_tier": "Gold"},
    ).expect(201)
    assert gold["min_tier"] == "Gold"
    visit = world.visit(shop, customer)
    world.earn(visit, 600_00).expect(201)  # Silver: 600 lifetime points
    card = membership(customer, shop)
    assert [r["name"] for r in card["affordable_rewards"]] == ["Free coffee"]
    (locked,) = card["locked_rewards"]
    assert locked["locked_reason"] == "Gold members only: 1,400 more points to go"
    before = membership(customer, shop)
    refused = world.redeem(visit, reward_id=gold["reward_id"])
    assert (refused.status, refused.code) == (409, "tier_required")
    assert "Gold" in refused.body["error"]["message"]
    assert membership(customer, shop) == before
    world.earn(world.visit(shop, customer), 1400_00).expect(201)  # Gold now (2000 + Silver x1.25)
    visit = world.visit(shop, customer)
    assert visit.answer["locked_rewards"] == []
    assert (
        world.redeem(visit, reward_id=gold["reward_id"]).expect(201)["transaction"]["points"] == -50
    )
    # Opening it to every tier again.
    opened = call(
        "PATCH",
        f"{shop.path}/rewards/{gold['reward_id']}",
        user=shop.owner,
        body={"min_tier": None},
    ).expect(200)
    assert opened["min_tier"] is None


def test_a_reward_gated_by_another_container_is_refused_despite_the_warm_cache(
    world, shop, customer
):
    """This container cached the reward as open to all; another one made it Gold only."""
    visit = world.visit(shop, customer)
    world.earn(visit, 200_00).expect(201)
    world.redeem(visit, points=1).expect(201)  # the reward list is cached now
    db.update(
        keys.merchant(shop.merchant_id),
        keys.reward(shop.reward.reward_id),
        "SET min_tier = :t",
        {":t": "Gold"},
    )
    refused = world.redeem(visit, reward_id=shop.reward.reward_id)
    assert (refused.status, refused.code) == (409, "tier_required")
    assert membership(customer, shop)["balance"] == 199


def test_a_reward_for_a_tier_that_no_longer_exists_stays_locked(world, shop, customer):
    call(
        "PATCH",
        f"{shop.path}/rewards/{shop.reward.reward_id}",
        user=shop.owner,
        body={"min_tier": "Silver"},
    ).expect(200)
    ladder = [{"name": "Member", "threshold": 0, "multiplier_pct": 100}]
    call("PATCH", shop.path, user=shop.owner, body={"tiers": ladder}).expect(200)
    visit = world.visit(shop, customer)
    world.earn(visit, 500_00).expect(201)
    assert visit.answer["locked_rewards"][0]["locked_reason"] == "Silver members only"
    refused = world.redeem(world.visit(shop, customer), reward_id=shop.reward.reward_id)
    assert (refused.status, refused.code) == (409, "tier_required")

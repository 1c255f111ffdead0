"""The owner's adjustments: add or remove points with a reason; staff cannot; never below zero."""

import pytest

from backend.logic import adjustments, errors
from backend.logic.idempotency import from_request
from tests.support.world import call, idempotency_key


def history(customer, shop):
    page = call("GET", "/transactions", user=customer, query={"merchant_id": shop.merchant_id})
    return page.expect(200)["items"]


@pytest.fixture
def member(world, shop, customer):
    """The customer with 50 points at Café Rosa."""
    world.earn(world.visit(shop, customer), 50_00).expect(201)
    return customer


def test_the_owner_adds_goodwill_points_and_the_entry_says_who_and_why(world, shop, member):
    reply = world.adjust(shop, member, 25, note="Coffee was cold")
    body = reply.expect(201)
    tx = body["transaction"]
    assert (tx["kind"], tx["points"], tx["balance_after"]) == ("adjustment", 25, 75)
    assert (tx["reason"], tx["note"], tx["staff_id"]) == (
        "goodwill",
        "Coffee was cold",
        shop.owner.user_id,
    )
    assert tx["customer_name"] == member.name
    assert body["balance"] == 75 == world.balance(member, shop)
    # The customer sees it in their history, with the reason.
    assert history(member, shop)[0]["reason"] == "goodwill"
    # Tiers follow purchases: the lifetime figure does not move.
    wallet = call("GET", "/wallet", user=member).expect(200)["memberships"][0]
    assert wallet["lifetime_points"] == 50


def test_the_owner_removes_points_but_never_below_zero(world, shop, member):
    too_many = world.adjust(shop, member, -51, reason="correction")
    assert (too_many.status, too_many.code) == (409, "insufficient_points")
    assert "50 points" in too_many.body["error"]["message"]
    assert world.balance(member, shop) == 50 and len(history(member, shop)) == 1
    exact = world.adjust(shop, member, -50, reason="correction", note="Double scan")
    assert exact.expect(201)["balance"] == 0 == world.balance(member, shop)


def test_staff_cannot_adjust(world, shop, staff, member):
    """Attack: a cashier tops up a friend's card (or their own)."""
    reply = world.adjust(shop, member, 1000, by=staff)
    assert (reply.status, reply.code) == (403, "owner_only")
    assert world.balance(member, shop) == 50 and len(history(member, shop)) == 1


def test_the_transaction_itself_checks_the_owner(world, shop, staff, member, monkeypatch):
    """If the owner check before the transaction were skipped (or raced a role change), the
    transaction's own role check still refuses."""
    monkeypatch.setattr(adjustments.access, "require_owner", lambda *_: {"role": "owner"})
    idem = from_request(staff.user_id, idempotency_key(), "POST", "/x", "{}")
    with pytest.raises(errors.OwnerOnly):
        adjustments.adjust(
            staff.user_id, shop.merchant_id, member.user_id, 10, "goodwill", "", idem
        )
    assert world.balance(member, shop) == 50


def test_another_business_cannot_adjust_our_customers(world, shop, member):
    """Attack: the owner of another business adjusts a card at ours, or moves our customer's
    points onto theirs."""
    rival = world.business(world.owner("Rita Rival"), "Rival Café")
    ours = world.adjust(shop, member, 10, by=rival.owner)
    assert (ours.status, ours.code) == (403, "forbidden")
    theirs = world.adjust(rival, member, 10)  # the customer never earned at the rival's
    assert (theirs.status, theirs.code) == (404, "not_found")
    assert world.balance(member, shop) == 50 and world.balance(member, rival) == 0


def test_a_stranger_without_a_card_is_not_found(world, shop):
    stranger = world.customer("Stan Stranger")
    reply = world.adjust(shop, stranger, 10)
    assert (reply.status, reply.code) == (404, "not_found")
    assert call("GET", "/wallet", user=stranger).expect(200)["memberships"] == []


def test_a_retried_adjustment_changes_nothing_the_second_time(world, shop, member):
    key = idempotency_key()
    first = world.adjust(shop, member, 5, key=key)
    again = world.adjust(shop, member, 5, key=key)
    assert (first.status, again.status) == (201, 201) and first.body == again.body
    assert world.balance(member, shop) == 55 and len(history(member, shop)) == 2
    other = world.adjust(shop, member, 6, key=key)
    assert (other.status, other.code) == (422, "idempotency_key_reused")


@pytest.mark.parametrize(
    "body",
    [
        {"points": 0, "reason": "goodwill"},
        {"points": 10},
        {"points": 10, "reason": "because"},
        {"points": 1_000_001, "reason": "goodwill"},
        {"points": "10", "reason": "goodwill"},
        {"points": 10, "reason": "goodwill", "note": "x" * 281},
        {"points": 10, "reason": "goodwill", "staff_id": "someone"},
    ],
)
def test_bad_adjustments_are_refused_and_change_nothing(world, shop, member, body):
    reply = call(
        "POST",
        f"{shop.path}/members/{member.user_id}/adjustments",
        user=shop.owner,
        body=body,
        headers={"Idempotency-Key": idempotency_key()},
    )
    assert (reply.status, reply.code) == (422, "validation_error")
    assert world.balance(member, shop) == 50


def test_an_adjustment_needs_an_idempotency_key(world, shop, member):
    reply = call(
        "POST",
        f"{shop.path}/members/{member.user_id}/adjustments",
        user=shop.owner,
        body={"points": 5, "reason": "goodwill"},
    )
    assert (reply.status, reply.code) == (400, "missing_idempotency_key")

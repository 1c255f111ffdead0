"""A customer's whole account: deleting it (DELETE /me) and downloading it (GET /me/export).

Attack first: a stolen session without a fresh password cannot delete anyone; nobody reads
another person's export; a deleted customer's codes and memberships take no more points;
an owner cannot leave their business ownerless.
"""

from __future__ import annotations

import boto3
import pytest

from backend import clock, config
from backend.logic import accounts
from ops.reconcile import Reconciler
from tests.support.world import call
from tests.unit.test_bad_input import table_snapshot

DELETED = "Deleted customer"


def _reconcile() -> list[str]:
    return Reconciler(boto3.client("dynamodb"), config.TABLE_NAME).run().discrepancies


def _item(pk: str, sk: str) -> dict | None:
    answer = boto3.client("dynamodb").get_item(
        TableName=config.TABLE_NAME, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True
    )
    return answer.get("Item")


@pytest.fixture
def history(world, shop, staff, customer):
    """The customer at two businesses: earns, a reward, a refund; staff at a third."""
    bakery = world.business(world.owner("Bo Baker"), "Bakery Bo")
    world.earn(world.visit(shop, customer), 150_00).expect(201)
    world.redeem(world.visit(shop, customer), reward_id=shop.reward.reward_id).expect(201)
    refunded = world.earn(world.visit(shop, customer), 30_00).expect(201)["transaction"]
    world.reverse(shop, refunded["tx_id"]).expect(201)  # balance 150 - 100 + 30 - 30 = 50
    world.earn(world.visit(bakery, customer), 12_00).expect(201)
    kiosk = world.business(world.owner("Kim Kiosk"), "Kiosk Kim")
    world.staff(kiosk, customer)
    # An invitation still waiting for the customer's answer (it holds their email).
    tearoom = world.business(world.owner("Tia Tea"), "Tea Room")
    world.invite(tearoom, customer.email).expect(202)
    return {"bakery": bakery, "kiosk": kiosk, "tearoom": tearoom}


def test_deleting_closes_every_balance_pseudonymizes_and_keeps_the_books(
    world, shop, staff, customer, history
):
    bakery, kiosk, tearoom = history["bakery"], history["kiosk"], history["tearoom"]
    before = {
        m["merchant_id"]: m["balance"]
        for m in world.call("GET", "/wallet", customer).body["memberships"]
    }
    assert before[shop.merchant_id] > 0 and before[bakery.merchant_id] == 12

    answer = call("DELETE", "/me", customer)
    assert (answer.status, answer.body) == (200, {"status": "deleted"})

    # The person is gone: no profile, no email lookup, no staff role, no invitation.
    assert call("GET", "/me", customer).status == 404
    assert _item(f"EMAIL#{customer.email}", "USER") is None
    assert _item(f"USER#{customer.user_id}", "COUNTS") is None
    (only,) = call("GET", f"{kiosk.path}/staff", kiosk.owner).body["staff"]
    assert only["role"] == "owner"
    assert _item(f"MERCHANT#{tearoom.merchant_id}", f"INVITE#{customer.email}") is None

    # The business keeps its history, without the name, and a closure for each balance.
    for business, balance in ((shop, before[shop.merchant_id]), (bakery, 12)):
        items = call("GET", f"{business.path}/transactions", business.till).body["items"]
        mine = [i for i in items if i["customer_id"] == customer.user_id]
        assert {i["customer_name"] for i in mine} == {DELETED}
        closure = mine[0]
        assert (closure["kind"], closure["points"], closure["balance_after"]) == (
            "closure",
            -balance,
            0,
        )
        assert closure["staff_id"] is None
        assert sum(i["points"] for i in mine) == 0
        # The members list keeps the row, at 0, without the name.
        members = call("GET", f"{business.path}/members", business.owner).body["items"]
        (row,) = [m for m in members if m["customer_id"] == customer.user_id]
        assert (row["display_name"], row["balance"]) == (DELETED, 0)
    assert _reconcile() == []

    # The confirmation email's hook: a deletion record with the address, kept a week.
    record = _item(f"DELETION#{customer.user_id}", "ACCOUNT")
    assert record["email"]["S"] == customer.email
    assert int(record["expires_at"]["N"]) > clock.now_s() + 6 * 24 * 3600

    # Repeating the deletion (a retry) changes nothing.
    snapshot = table_snapshot()
    assert call("DELETE", "/me", customer).body == {"status": "deleted"}
    assert table_snapshot() == snapshot


def test_a_stolen_session_without_a_fresh_password_deletes_nothing(world, shop, customer):
    world.earn(world.visit(shop, customer), 20_00).expect(201)
    snapshot = table_snapshot()
    # A session kept alive by its refresh token: its access token says the password was
    # typed an hour ago (Cognito keeps auth_time through refreshes).
    old = call("DELETE", "/me", customer, signed_in_at=clock.now_s() - 3600)
    assert (old.status, old.code) == (403, "reauthentication_required")
    just_over = call(
        "DELETE", "/me", customer, signed_in_at=clock.now_s() - config.RECENT_SIGN_IN_SECONDS - 1
    )
    assert just_over.code == "reauthentication_required"
    assert table_snapshot() == snapshot
    assert call("GET", "/me", customer).status == 200


def test_an_owner_must_hand_over_or_close_their_business_first(world, shop, customer):
    snapshot = table_snapshot()
    refused = call("DELETE", "/me", shop.owner)
    assert (refused.status, refused.code) == (409, "owns_business")
    assert "You own Café Rosa" in refused.body["error"]["message"]
    assert "hand the business over" in refused.body["error"]["message"].lower()
    assert table_snapshot() == snapshot


def test_a_deleted_customer_takes_no_more_points_anywhere(world, shop, staff, customer):
    earned = world.earn(world.visit(shop, customer), 40_00).expect(201)["transaction"]
    redeemed = world.redeem(world.visit(shop, customer), points=5).expect(201)["transaction"]
    # Things the customer left behind: a visit still open here, one at a new business,
    # and a code on their screen.
    open_here = world.visit(shop, customer)
    elsewhere = world.business(world.owner("Nia New"), "New Place")
    open_elsewhere = world.visit(elsewhere, customer)
    code = world.token(customer)

    call("DELETE", "/me", customer).expect(200)

    for late in (world.earn(open_here, 10_00), world.earn(open_elsewhere, 10_00)):
        assert (late.status, late.code) == (409, "account_closed")
    refund = world.reverse(shop, redeemed["tx_id"])  # would give points back to no one
    assert (refund.status, refund.code) == (409, "account_closed")
    assert world.reverse(shop, earned["tx_id"]).code in ("account_closed", "points_already_spent")
    scanned = world.open_visit(shop, code["token"])
    assert (scanned.status, scanned.code) == (404, "not_found")
    assert call("GET", "/wallet", customer).body["memberships"] == []
    assert _reconcile() == []


def test_a_long_history_is_deleted_over_several_calls(world, shop, customer, monkeypatch):
    for cents in (1_00, 2_00, 3_00, 4_00, 5_00):
        world.earn(world.visit(shop, customer), cents).expect(201)
    monkeypatch.setattr(accounts, "RENAME_BATCH", 2)
    monkeypatch.setattr(config, "ERASE_BUDGET_SECONDS", 0.0)
    answers = [call("DELETE", "/me", customer) for _ in range(3)]
    assert [(a.status, a.body["status"]) for a in answers] == [
        (202, "in_progress"),
        (202, "in_progress"),
        (200, "deleted"),
    ]
    items = call("GET", f"{shop.path}/transactions", shop.till).body["items"]
    assert {i["customer_name"] for i in items} == {DELETED}
    assert len(items) == 6  # five earns and the closure
    assert _reconcile() == []


def test_the_same_email_signs_up_again_as_a_new_person(world, shop, customer):
    world.earn(world.visit(shop, customer), 20_00).expect(201)
    call("DELETE", "/me", customer).expect(200)
    again = world.customer("Carl Again", email=customer.email)
    assert again.user_id != customer.user_id
    assert call("GET", "/me", again).body["email"] == customer.email
    assert call("GET", "/wallet", again).body["memberships"] == []
    world.staff(shop, again)  # invited by the same email, accepted by the new account
    staff = call("GET", f"{shop.path}/staff", shop.owner).body["staff"]
    assert again.user_id in {s["user_id"] for s in staff}
    assert customer.user_id not in {s["user_id"] for s in staff}


def test_export_holds_the_profile_every_membership_and_every_entry(world, shop, customer):
    bakery = world.business(world.owner("Bo Baker"), "Bakery Bo")
    tx_ids = set()
    for business, cents in ((shop, 10_00), (bakery, 20_00), (shop, 30_00)):
        tx = world.earn(world.visit(business, customer), cents).expect(201)["transaction"]
        tx_ids.add(tx["tx_id"])
    refund = world.reverse(shop, tx["tx_id"], reason="broken cup").expect(201)
    tx_ids.add(refund["transaction"]["tx_id"])

    pages, cursor = [], None
    while True:
        query = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = call("GET", "/me/export", customer, query=query).expect(200)
        pages.append(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(pages) == 2
    assert pages[0]["profile"]["email"] == customer.email
    assert {m["merchant_id"] for m in pages[0]["memberships"]} == {
        shop.merchant_id,
        bakery.merchant_id,
    }
    entries = [e for p in pages for e in p["items"]]
    assert {e["tx_id"] for e in entries} == tx_ids
    assert next(e for e in entries if e["kind"] == "reversal")["reason"] == "broken cup"
    assert pages[0]["roles"] == []


def test_nobody_reads_another_persons_export(world, shop, customer):
    intruder = world.customer("Ivy Intruder")
    for cents in (10_00, 20_00, 30_00):
        world.earn(world.visit(shop, customer), cents).expect(201)
    first = call("GET", "/me/export", customer, query={"limit": "1"}).expect(200)
    # The victim's cursor in the intruder's request: refused, not the victim's next page.
    stolen = call("GET", "/me/export", intruder, query={"cursor": first["next_cursor"]})
    assert (stolen.status, stolen.code) == (400, "bad_cursor")
    own = call("GET", "/me/export", intruder).expect(200)
    assert own["items"] == [] and own["memberships"] == []
    assert own["profile"]["email"] == intruder.email
    assert customer.email not in str(own) and customer.user_id not in str(own)
    for limit in ("0", "501"):
        bad = call("GET", "/me/export", customer, query={"limit": limit})
        assert (bad.status, bad.code) == (422, "validation_error")


def test_stamps_close_with_the_account_and_a_closure_that_gives_back_is_reported(
    world, shop, customer
):
    world.stamp_card(shop, stamps_needed=5)
    for _ in range(2):
        world.earn(world.visit(shop, customer), 10_00).expect(201)
    call("DELETE", "/me", customer).expect(200)
    items = call("GET", f"{shop.path}/transactions", shop.till).body["items"]
    closure = items[0]
    assert (closure["kind"], closure["stamps"], closure["stamps_after"]) == ("closure", -2, 0)
    assert (closure["points"], closure["balance_after"]) == (-20, 0)
    assert _reconcile() == []

    # Tampered: the closure gives points back instead of taking them.
    key = {"pk": {"S": f"MERCHANT#{shop.merchant_id}"}, "sk": {"S": f"TX#{closure['tx_id']}"}}
    boto3.client("dynamodb").update_item(
        TableName=config.TABLE_NAME,
        Key=key,
        UpdateExpression="SET points = :p",
        ExpressionAttributeValues={":p": {"N": "20"}},
    )
    found = _reconcile()
    assert any("a closure only takes away" in line for line in found), found

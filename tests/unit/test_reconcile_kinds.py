"""ops.reconcile checks the new kinds: adjustments, expiries and receipts' claims; a clean
ledger adds up, and each kind's tampering is reported."""

from __future__ import annotations

from typing import Any

import pytest

from backend import clock, config
from backend.dal import dynamodb as db
from backend.logic import expiry as job
from loyalty import expiry
from ops.reconcile import Reconciler
from tests.support.world import call, idempotency_key


def reconcile(client: Any) -> list[str]:
    return Reconciler(client, config.TABLE_NAME).run().discrepancies


@pytest.fixture
def ledger(world, shop, customer) -> dict[str, Any]:
    """An earn, an owner's adjustment, a claimed receipt and, a year on, an expiry."""
    call("PATCH", shop.path, user=shop.owner, body={"expiry_months": 12}).expect(200)
    world.earn(world.visit(shop, customer), 30_00).expect(201)
    adjusted = call(
        "POST",
        f"{shop.path}/members/{customer.user_id}/adjustments",
        user=shop.owner,
        body={"points": 5, "reason": "goodwill"},
        headers={"Idempotency-Key": idempotency_key()},
    ).expect(201)["transaction"]
    code = call(
        "POST", f"{shop.path}/claim-codes", user=shop.till, body={"amount_cents": 7_00}
    ).expect(201)
    claimed = call(
        "POST",
        "/claims",
        user=customer,
        body={"code": code["code"]},
        headers={"Idempotency-Key": idempotency_key()},
    ).expect(201)["transaction"]
    clock.advance(expiry.add_months(clock.now_s(), 12) - clock.now_s())
    assert job.run(lambda: 600.0).points == 42
    return {"adjusted": adjusted, "claimed": claimed, "claim_id": code["claim_id"]}


def _entry(shop, tx_id: str) -> dict[str, Any]:
    return db.get(f"MERCHANT#{shop.merchant_id}", f"TX#{tx_id}")


def test_a_clean_ledger_of_every_kind_adds_up(moto_account, ledger):
    report = Reconciler(moto_account, config.TABLE_NAME).run()
    assert report.discrepancies == []
    assert (report.adjustments, report.expiries, report.claims) == (1, 1, 1)


def test_an_adjustment_by_someone_other_than_the_owner_is_reported(
    moto_account, shop, staff, ledger
):
    item = _entry(shop, ledger["adjusted"]["tx_id"])
    db.put({**item, "staff_id": staff.user_id})
    assert reconcile(moto_account) == [
        f"entry {item['tx_id']} at merchant {shop.merchant_id}: an adjustment by "
        f"{staff.user_id}, who is not the business's owner"
    ]


def test_an_adjustment_without_a_reason_is_reported(moto_account, shop, ledger):
    item = _entry(shop, ledger["adjusted"]["tx_id"])
    db.put({**item, "reason": "because"})
    assert "an adjustment without a known reason ('because')" in reconcile(moto_account)[0]


def test_an_expiry_before_its_points_were_due_is_reported(moto_account, shop, customer, ledger):
    items, _ = db.query(("pk", f"MERCHANT#{shop.merchant_id}"), sort_prefix="TX#")
    (item,) = [i for i in items if i["kind"] == "expiry"]
    db.put({**item, "last_activity_at": clock.iso(clock.now_s() - 60)})
    (problem,) = reconcile(moto_account)
    assert "an expiry before its points were due" in problem


def test_a_receipt_code_earned_twice_is_reported(moto_account, shop, customer, ledger):
    """Tampering that keeps the balance adding up: a second earn with the same code."""
    original = _entry(shop, ledger["claimed"]["tx_id"])
    twin = {**original, "tx_id": original["tx_id"][:-1] + "z", "sk": original["sk"][:-1] + "z"}
    twin["gsi1sk"] = twin["gsi2sk"] = twin["sk"]
    db.put(twin)
    member = db.get(f"USER#{customer.user_id}", f"MEMBER#{shop.merchant_id}")
    points = int(original["points"])
    db.put(
        {
            **member,
            "balance": member["balance"] + points,
            "lifetime_points": member["lifetime_points"] + points,
        }
    )
    problems = reconcile(moto_account)
    assert any(f"receipt code {ledger['claim_id']} earned 2 times" in p for p in problems)
    assert any("was spent by" in p for p in problems)


def test_a_receipt_code_and_its_earn_that_disagree_are_reported(moto_account, shop, ledger):
    items, _ = db.query(("gsi1pk", f"CLAIMS#{shop.merchant_id}"), index="gsi1")
    (code,) = items
    db.put({**code, "tx_id": "t_nothing"})
    assert reconcile(moto_account) == [
        f"entry {ledger['claimed']['tx_id']} at merchant {shop.merchant_id}: receipt code "
        f"{ledger['claim_id']} was spent by t_nothing"
    ]
    db.put(code)
    earn = _entry(shop, ledger["claimed"]["tx_id"])
    db.put({k: v for k, v in earn.items() if k != "claim_id"})
    assert reconcile(moto_account) == [
        f"receipt code {ledger['claim_id']} at merchant {shop.merchant_id}: spent by "
        f"{earn['tx_id']}, and no earn names it"
    ]

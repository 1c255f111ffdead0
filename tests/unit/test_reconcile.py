"""The reconciliation tool on the new kinds (in-process, on moto): stamps are a balance,
a stamp card's reward is one full card, a welcome bonus comes once and first, a refund is
the opposite of its original in points, stamps and promotion points. A clean ledger adds
up; each kind of tampering is reported. (Over the local cloud, with the load test's mix:
tests/proof/test_proof_reconcile.py and test_proof_load.py.)"""

from __future__ import annotations

import boto3
import pytest

from backend import config
from backend.dal import dynamodb as db
from backend.dal import keys
from ops.reconcile import Reconciler


def reconcile() -> list[str]:
    return Reconciler(boto3.client("dynamodb"), config.TABLE_NAME, page_size=7).run().discrepancies


@pytest.fixture
def ledger(world, shop, customer):
    """Welcome bonus, stamps, a full card given, a refunded purchase, a refunded card."""
    world.stamp_card(shop, stamps_needed=2)
    world.promotion(shop, "Welcome", kind="welcome", bonus_points=50)
    world.promotion(shop, "Double")
    earns = [
        world.earn(world.visit(shop, customer), c).expect(201)["transaction"]
        for c in (10_00, 20_00, 30_00)
    ]
    card = world.redeem(world.visit(shop, customer), stamp_card=True).expect(201)["transaction"]
    world.reverse(shop, card["tx_id"]).expect(201)
    world.reverse(shop, earns[2]["tx_id"]).expect(201)
    assert earns[0]["promotion_kind"] == "welcome" and earns[1]["promotion_name"] == "Double"
    return {"customer": customer, "shop": shop, "earns": earns, "card": card}


def entry_key(shop, tx_id: str) -> tuple[str, str]:
    return keys.merchant(shop.merchant_id), keys.tx(tx_id)


def tamper(pk: str, sk: str, expression: str, values: dict) -> None:
    db.update(pk, sk, expression, values)


def test_a_clean_ledger_with_every_new_kind_adds_up(ledger):
    report = Reconciler(boto3.client("dynamodb"), config.TABLE_NAME).run()
    assert report.discrepancies == []
    assert (report.entries, report.reversals, report.stamp_redemptions) == (6, 2, 1)
    assert report.promotion_entries == 4  # welcome, double, double and its refund


def test_stamps_that_do_not_add_up_are_reported(ledger):
    member = (keys.user(ledger["customer"].user_id), keys.member(ledger["shop"].merchant_id))
    tamper(*member, "SET stamps = stamps + :n", {":n": 5})
    (found,) = reconcile()
    assert "stamps 7 != ledger stamps 2" in found


def test_a_card_reward_that_is_not_one_full_card_is_reported(ledger):
    tamper(*entry_key(ledger["shop"], ledger["card"]["tx_id"]), "SET points = :p", {":p": -3})
    found = reconcile()
    assert any("a stamp card's reward moves no points" in f for f in found), found


def test_an_earn_with_two_stamps_is_reported(ledger):
    tamper(*entry_key(ledger["shop"], ledger["earns"][1]["tx_id"]), "SET stamps = :s", {":s": 2})
    found = reconcile()
    assert any("an earn adds one stamp at most" in f for f in found), found


def test_a_second_welcome_bonus_is_reported(ledger):
    second = ledger["earns"][1]
    tamper(
        *entry_key(ledger["shop"], second["tx_id"]), "SET promotion_kind = :k", {":k": "welcome"}
    )
    (found,) = reconcile()
    assert "2 welcome bonuses" in found


def test_a_welcome_bonus_after_the_first_entry_is_reported(ledger):
    first, second = ledger["earns"][0], ledger["earns"][1]
    tamper(
        *entry_key(ledger["shop"], first["tx_id"]), "SET promotion_kind = :k", {":k": "multiplier"}
    )
    tamper(
        *entry_key(ledger["shop"], second["tx_id"]), "SET promotion_kind = :k", {":k": "welcome"}
    )
    (found,) = reconcile()
    assert "is not its first entry" in found


def test_promotion_points_beyond_the_entry_are_reported(ledger):
    tamper(
        *entry_key(ledger["shop"], ledger["earns"][1]["tx_id"]),
        "SET promotion_points = :p",
        {":p": 999},
    )
    found = reconcile()
    assert any("promotion points 999 outside" in f for f in found), found


def test_a_refund_that_does_not_take_its_stamp_back_is_reported(world, ledger):
    refund = next(
        e
        for e in world.call("GET", "/transactions", ledger["customer"]).body["items"]
        if e["reverses"] == ledger["earns"][2]["tx_id"]
    )
    tamper(*entry_key(ledger["shop"], refund["tx_id"]), "SET stamps = :s", {":s": 0})
    found = reconcile()
    assert any("stamps +0 are not the opposite of the original's +1" in f for f in found), found

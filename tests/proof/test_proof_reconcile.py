"""The reconciliation tool: a clean ledger adds up; a tampered table is caught."""

from __future__ import annotations

from typing import Any

import pytest

from ops.reconcile import WriteRefused, make_client
from tests.proof.conftest import reconcile
from tests.support.local_cloud import RunningCloud, aws_client
from tests.support.world import World


def _table(cloud: RunningCloud) -> Any:
    """The local cloud's table, straight through its moto server (as an intruder would)."""
    return aws_client(cloud.info, "dynamodb")


@pytest.fixture(scope="module")
def ledger(world: World) -> dict[str, Any]:
    """A business with two customers, a 2-stamp card and a welcome bonus: earns (welcomed,
    stamped), a redemption, a full card given, a reversed earn and a reversed redemption."""
    owner, alice, bob = world.people(3, "Reconcile")
    shop = world.business(owner)
    world.stamp_card(shop, stamps_needed=2)
    world.promotion(shop, "Welcome", kind="welcome", bonus_points=5)
    txs = []
    for customer, cents in ((alice, 4200), (bob, 1999), (alice, 1000)):
        txs.append(world.earn(world.visit(shop, customer), cents).expect(201)["transaction"])
    redeemed = world.redeem(world.visit(shop, alice), points=5).expect(201)["transaction"]
    world.redeem(world.visit(shop, alice), stamp_card=True).expect(201)
    for tx in (txs[1], redeemed):
        world.reverse(shop, tx["tx_id"], reason=None).expect(201)
    return {"merchant_id": shop.merchant_id, "alice": alice, "bob": bob, "earn_tx": txs[0]["tx_id"]}


def test_a_clean_ledger_has_no_discrepancies(proof_cloud: RunningCloud, ledger: dict) -> None:
    found, output = reconcile(proof_cloud.api_url)
    assert found == 0, output
    assert "memberships_checked: 2" in output
    assert "ledger_entries_checked: 7" in output
    assert "reversals_checked: 2" in output
    assert "stamp_redemptions_checked: 1" in output
    assert "promotion_entries_checked: 3" in output  # two welcomes and a refunded one


def test_a_balance_tampered_in_the_table_is_reported(
    proof_cloud: RunningCloud, ledger: dict
) -> None:
    table, merchant_id, alice = _table(proof_cloud), ledger["merchant_id"], ledger["alice"]
    key = {"pk": {"S": f"USER#{alice.user_id}"}, "sk": {"S": f"MEMBER#{merchant_id}"}}
    before = table.get_item(TableName=proof_cloud.table_name, Key=key)["Item"]
    table.update_item(
        TableName=proof_cloud.table_name,
        Key=key,
        UpdateExpression="SET balance = balance + :gift",
        ExpressionAttributeValues={":gift": {"N": "1000"}},
    )
    try:
        found, output = reconcile(proof_cloud.api_url)
        assert found == 1, output
        assert f"customer={alice.user_id} merchant={merchant_id}" in output
        balance = int(before["balance"]["N"])
        assert f"balance {balance + 1000} != ledger sum {balance}" in output
    finally:
        table.put_item(TableName=proof_cloud.table_name, Item=before)
    assert reconcile(proof_cloud.api_url)[0] == 0


def test_stamps_tampered_in_the_table_are_reported(proof_cloud: RunningCloud, ledger: dict) -> None:
    table, merchant_id, bob = _table(proof_cloud), ledger["merchant_id"], ledger["bob"]
    key = {"pk": {"S": f"USER#{bob.user_id}"}, "sk": {"S": f"MEMBER#{merchant_id}"}}
    before = table.get_item(TableName=proof_cloud.table_name, Key=key)["Item"]
    table.update_item(
        TableName=proof_cloud.table_name,
        Key=key,
        UpdateExpression="SET stamps = :full",
        ExpressionAttributeValues={":full": {"N": "2"}},  # a free coffee out of thin air
    )
    try:
        found, output = reconcile(proof_cloud.api_url)
        assert found == 1, output
        assert (
            f"customer={bob.user_id} merchant={merchant_id}: stamps 2 != ledger stamps 0" in output
        )
    finally:
        table.put_item(TableName=proof_cloud.table_name, Item=before)
    assert reconcile(proof_cloud.api_url)[0] == 0


def test_a_reversal_whose_original_forgot_it_is_reported(
    proof_cloud: RunningCloud, ledger: dict
) -> None:
    table, merchant_id = _table(proof_cloud), ledger["merchant_id"]
    reversed_entries = [
        item
        for item in table.query(
            TableName=proof_cloud.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :tx)",
            ExpressionAttributeValues={
                ":pk": {"S": f"MERCHANT#{merchant_id}"},
                ":tx": {"S": "TX#"},
            },
        )["Items"]
        if "reversed_by" in item
    ]
    original = reversed_entries[0]
    table.update_item(
        TableName=proof_cloud.table_name,
        Key={"pk": original["pk"], "sk": original["sk"]},
        UpdateExpression="REMOVE reversed_by",
    )
    try:
        found, output = reconcile(proof_cloud.api_url)
        assert found == 1, output
        assert "the original's reversed_by is None" in output
    finally:
        table.put_item(TableName=proof_cloud.table_name, Item=original)
    assert reconcile(proof_cloud.api_url)[0] == 0


def test_the_reconciliation_client_cannot_write() -> None:
    client = make_client("http://127.0.0.1:9", "eu-west-1")  # nothing listens: nothing is sent
    for call in (
        lambda: client.put_item(TableName="t", Item={"pk": {"S": "x"}, "sk": {"S": "y"}}),
        lambda: client.delete_item(TableName="t", Key={"pk": {"S": "x"}, "sk": {"S": "y"}}),
        lambda: client.transact_write_items(TransactItems=[]),
        lambda: client.delete_table(TableName="t"),
    ):
        with pytest.raises(WriteRefused):
            call()

"""ops.index_memberships: memberships from before the members and expiry indexes get their
keys once, and then show in the members list and reach the expiry job."""

from __future__ import annotations

import pytest

from backend import clock, config
from backend.dal import dynamodb as db
from backend.logic import expiry as job
from loyalty import expiry
from ops import index_memberships
from tests.support.world import call


def old_style(customer, shop) -> None:
    """The membership as this version's predecessor wrote it: no index keys, no clock."""
    key = (f"USER#{customer.user_id}", f"MEMBER#{shop.merchant_id}")
    item = db.get(*key)
    for name in ("gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "last_activity_at"):
        item.pop(name, None)
    db.put(item)


def members(shop) -> list[str]:
    page = call("GET", f"{shop.path}/members", user=shop.owner).expect(200)
    return [m["customer_id"] for m in page["items"]]


def test_old_memberships_get_their_keys_once(moto_account, world, shop, customer):
    world.earn(world.visit(shop, customer), 40_00).expect(201)
    call("PATCH", shop.path, user=shop.owner, body={"expiry_months": 6}).expect(200)
    old_style(customer, shop)
    assert members(shop) == []

    dry = index_memberships.run(moto_account, config.TABLE_NAME, dry_run=True)
    assert dry == {"memberships": 1, "indexed": 1, "changed_meanwhile": 0}
    assert members(shop) == []

    done = index_memberships.run(moto_account, config.TABLE_NAME)
    assert done["indexed"] == 1 and members(shop) == [customer.user_id]
    assert index_memberships.run(moto_account, config.TABLE_NAME)["indexed"] == 0

    clock.advance(expiry.add_months(clock.now_s(), 6) + 86_400 - clock.now_s())
    assert job.run(lambda: 600.0).points == 40


def test_the_tool_only_scans_and_updates():
    client = index_memberships.make_client("http://127.0.0.1:9", "eu-west-1")
    for forbidden in (
        lambda: client.put_item(TableName="t", Item={"pk": {"S": "x"}, "sk": {"S": "y"}}),
        lambda: client.delete_item(TableName="t", Key={"pk": {"S": "x"}, "sk": {"S": "y"}}),
        lambda: client.transact_write_items(TransactItems=[]),
    ):
        with pytest.raises(index_memberships.Refused):
            forbidden()

"""Customer routes: profile, wallet, history; each customer reads only their own (invariant 5)."""

from tests.support.world import call


def test_profile_read_and_rename(customer):
    me = call("GET", "/me", user=customer)
    assert me.status == 200
    assert (me.body["email"], me.body["display_name"]) == (customer.email, "Carl Customer")
    renamed = call("PATCH", "/me", user=customer, body={"display_name": "  Ana  "})
    assert renamed.body["display_name"] == "Ana"
    assert call("GET", "/me", user=customer).body["display_name"] == "Ana"
    assert call("GET", "/me", user="never-signed-up").status == 404


def test_wallet_shows_balance_tier_and_affordable_rewards(world, shop, customer):
    world.earn(world.visit(shop, customer), 550_00)
    (membership,) = call("GET", "/wallet", user=customer).body["memberships"]
    assert membership["merchant_name"] == "Café Rosa"
    assert (membership["balance"], membership["lifetime_points"]) == (550, 550)
    assert membership["tier"]["name"] == "Silver"
    assert membership["next_tier"] == {"name": "Gold", "threshold": 2000, "points_needed": 1450}
    assert [r["name"] for r in membership["affordable_rewards"]] == ["Free coffee"]


def test_customers_see_only_their_own_wallet_and_transactions(world, shop, customer):
    other = world.customer("Cleo")
    world.earn(world.visit(shop, customer), 30_00)
    assert call("GET", "/wallet", user=other).body["memberships"] == []
    assert call("GET", "/transactions", user=other).body["items"] == []
    filtered = call("GET", "/transactions", user=other, query={"merchant_id": shop.merchant_id})
    assert filtered.body["items"] == []
    # The customer cannot read the business's ledger either.
    assert call("GET", f"{shop.path}/transactions", user=customer).status == 403


def test_transactions_paginate_newest_first_and_filter_by_business(world, shop, customer):
    other = world.business(world.owner("Bo Baker"), "Bakery Bo")
    for amount in (10_00, 20_00, 30_00):
        world.earn(world.visit(shop, customer), amount)
    world.earn(world.visit(other, customer), 5_00)
    first = call("GET", "/transactions", user=customer, query={"limit": "2"}).body
    assert [i["points"] for i in first["items"]] == [5, 30]
    second = call(
        "GET",
        "/transactions",
        user=customer,
        query={"limit": "2", "cursor": first["next_cursor"]},
    )
    assert [i["points"] for i in second.body["items"]] == [20, 10]
    only = call(
        "GET", "/transactions", user=customer, query={"merchant_id": other.merchant_id}
    ).body
    assert [i["points"] for i in only["items"]] == [5]


def test_a_cursor_from_another_list_is_400(world, shop, customer):
    for amount in (10_00, 20_00):
        world.earn(world.visit(shop, customer), amount)
    page = call("GET", "/transactions", user=customer, query={"limit": "1"}).body
    for user, query in (
        ("someone-else", {"cursor": page["next_cursor"]}),  # another customer's list
        (customer, {"cursor": page["next_cursor"], "merchant_id": shop.merchant_id}),
        (customer, {"cursor": "not-base64-%%%"}),
        (customer, {"cursor": "eyJzIjoxfQ"}),
    ):
        reply = call("GET", "/transactions", user=user, query=query)
        assert (reply.status, reply.code) == (400, "bad_cursor"), query

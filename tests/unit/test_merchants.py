"""Business routes: registration, directory, settings, rewards, ledger, stats (staff: test_staff)."""

from tests.support.world import call


def test_register_and_read_a_business(shop):
    merchant = call("GET", shop.path, user="anyone").body
    assert merchant["name"] == "Café Rosa" and merchant["owner_id"] == shop.owner.user_id
    assert merchant["earning_rule"] == {"points_per_unit": 1, "min_purchase_cents": 0}
    assert [t["name"] for t in merchant["tiers"]] == ["Bronze", "Silver", "Gold"]
    assert [r["name"] for r in merchant["rewards"]] == ["Free coffee"]
    assert call("GET", "/merchants/m_unknown", user="anyone").status == 404


def test_directory_by_name_category_and_query(world, shop):
    world.business(world.owner("Bo Baker"), "Bakery Bo")
    call("POST", "/merchants", user="x", body={"name": "Alma Books", "category": "retail"})
    names = [m["name"] for m in call("GET", "/merchants", user="anyone").body["items"]]
    assert names == ["Alma Books", "Bakery Bo", "Café Rosa"]
    shops = call("GET", "/merchants", user="anyone", query={"category": "retail"}).body["items"]
    assert [m["name"] for m in shops] == ["Alma Books"]
    found = call("GET", "/merchants", user="anyone", query={"q": "bak"}).body["items"]
    assert [m["name"] for m in found] == ["Bakery Bo"]
    page = call("GET", "/merchants", user="anyone", query={"limit": "2"}).body
    rest = call(
        "GET", "/merchants", user="anyone", query={"limit": "2", "cursor": page["next_cursor"]}
    ).body
    assert [m["name"] for m in page["items"] + rest["items"]] == names


def test_only_the_owner_changes_settings(world, shop, staff, customer):
    body = {
        "name": "Café Rosa & Co",
        "tiers": [{"name": "Member", "threshold": 0, "multiplier_pct": 200}],
    }
    for user, status in ((staff, 403), (customer, 403)):
        assert call("PATCH", shop.path, user=user, body=body).status == status
    assert call("PATCH", "/merchants/m_unknown", user=shop.owner, body=body).status == 404
    changed = call("PATCH", shop.path, user=shop.owner, body=body)
    assert changed.status == 200 and changed.body["name"] == "Café Rosa & Co"
    earned = world.earn(world.visit(shop, customer), 10_00)
    assert earned.body["transaction"]["points"] == 20  # new tiers apply at once
    names = [
        m["name"] for m in call("GET", "/merchants", user="x", query={"q": "co"}).body["items"]
    ]
    assert names == ["Café Rosa & Co"]


def test_rewards_are_owner_managed_and_retired_not_deleted(world, shop, staff, customer):
    path = f"{shop.path}/rewards"
    assert call("POST", path, user=staff, body={"name": "Cake", "cost_points": 5}).status == 403
    cake = call(
        "POST",
        path,
        user=shop.owner,
        body={"name": "Cake", "description": "A slice", "cost_points": 50},
    )
    assert cake.status == 201
    rid = cake.body["reward_id"]
    edited = call("PATCH", f"{path}/{rid}", user=shop.owner, body={"cost_points": 60})
    assert edited.body["cost_points"] == 60
    assert call("PATCH", f"{path}/{rid}", user=staff, body={"cost_points": 1}).status == 403
    retired = call("DELETE", f"{path}/{rid}", user=shop.owner)
    assert retired.status == 200 and retired.body["active"] is False
    listed = call("GET", path, user=staff).body["rewards"]
    assert [r["name"] for r in listed] == ["Free coffee"]
    everything = call("GET", path, user=staff, query={"include_retired": "true"}).body["rewards"]
    assert [r["name"] for r in everything] == ["Free coffee", "Cake"]
    assert call("GET", path, user=customer).status == 403
    other = world.business(world.owner("Bo Baker"), "Bakery Bo")
    foreign = call("PATCH", f"{other.path}/rewards/{rid}", user=other.owner, body={"active": True})
    assert foreign.status == 404


def test_business_ledger_filters(world, shop, staff, customer):
    visit = world.visit(shop, customer)
    world.earn(visit, 40_00)
    world.redeem(visit, points=10)
    path = f"{shop.path}/transactions"
    assert [i["kind"] for i in call("GET", path, user=staff).body["items"]] == [
        "redeem",
        "earn",
    ]
    earns = call("GET", path, user=staff, query={"kind": "earn"}).body["items"]
    assert [i["points"] for i in earns] == [40]
    mine = call("GET", path, user=staff, query={"customer_id": customer.user_id}).body["items"]
    assert len(mine) == 2
    assert call("GET", path, user=staff, query={"kind": "gift"}).status == 422


def test_stats_count_points_visits_and_returning_customers(world, shop, staff, customer):
    second = world.customer("Cleo")
    first = world.visit(shop, customer)
    world.earn(first, 100_00)
    world.redeem(first, points=30)
    world.earn(world.visit(shop, customer), 50_00)
    refunded = world.earn(world.visit(shop, second), 20_00).body["transaction"]
    world.reverse(shop, refunded["tx_id"])
    stats = call("GET", f"{shop.path}/stats", user=shop.owner, query={"days": "7"})
    assert stats.status == 200
    body = stats.body
    assert (body["points_issued"], body["points_redeemed"]) == (150, 30)
    assert (body["visits"], body["unique_customers"], body["returning_customers"]) == (3, 2, 1)
    assert len(body["daily"]) == 7 and body["daily"][-1]["visits"] == 3
    month = call("GET", f"{shop.path}/stats", user=staff, query={"days": "30"}).body
    assert len(month["daily"]) == 30
    assert call("GET", f"{shop.path}/stats", user=shop.owner, query={"days": "9"}).status == 422


def test_a_cursor_of_one_filter_is_refused_by_another(world, shop, staff, customer):
    for amount in (10_00, 20_00, 30_00):
        world.earn(world.visit(shop, customer), amount)
    path = f"{shop.path}/transactions"
    page = call("GET", path, user=staff, query={"kind": "earn", "limit": "1"}).body
    assert (
        call("GET", path, user=staff, query={"kind": "earn", "cursor": page["next_cursor"]}).status
        == 200
    )
    reply = call("GET", path, user=staff, query={"kind": "redeem", "cursor": page["next_cursor"]})
    assert (reply.status, reply.code) == (400, "bad_cursor")

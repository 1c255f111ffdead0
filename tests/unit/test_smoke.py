from tests.unit.conftest import call


def test_flow(shop):
    visit = shop.scan()
    assert visit.status == 201, visit.body
    earned = shop.earn(visit.body["visit_id"], 12_50)
    assert earned.status == 201, earned.body
    assert earned.body["balance"] == 12
    assert shop.balance() == 12
    print(call("GET", "/transactions", user=shop.customer).body)

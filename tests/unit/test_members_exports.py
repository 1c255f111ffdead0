"""The owner's members list and the exports: a page at a time, owner only, date ranges."""

from datetime import UTC, datetime

import pytest

from backend import clock
from tests.support.world import call

DAY = 86_400


def members(shop, by=None, **query):
    return call("GET", f"{shop.path}/members", user=by or shop.owner, query=query)


def export(shop, by=None, **query):
    return call("GET", f"{shop.path}/exports/ledger", user=by or shop.owner, query=query)


def every_page(fetch, **query):
    """All items of a paged list, and how many pages it took."""
    items, cursor, pages = [], None, 0
    while True:
        page = fetch(**query, **({"cursor": cursor} if cursor else {})).expect(200)
        items += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            return items, pages


def today() -> str:
    return datetime.fromtimestamp(clock.now_s(), UTC).date().isoformat()


def test_the_owner_lists_members_with_balance_tier_and_last_activity(world, shop):
    people = [world.customer(f"Member {i}") for i in range(5)]
    for i, person in enumerate(people):
        world.earn(world.visit(shop, person), (i + 1) * 200_00).expect(201)
    listed, pages = every_page(lambda **q: members(shop, **q), limit="2")
    assert pages == 3
    by_name = {m["display_name"]: m for m in listed}
    assert sorted(by_name) == sorted(p.name for p in people)
    top = by_name["Member 4"]
    assert (top["balance"], top["lifetime_points"], top["tier"]) == (1000, 1000, "Silver")
    assert top["last_activity_at"].startswith(today())
    assert top["expiry"] is None  # no policy


def test_members_of_a_date_range_are_those_active_then(world, shop):
    early, late = world.customer("Early Bird"), world.customer("Late Comer")
    world.earn(world.visit(shop, early), 10_00).expect(201)
    first_day = today()
    clock.advance(3 * DAY)
    world.earn(world.visit(shop, late), 10_00).expect(201)
    listed, _ = every_page(lambda **q: members(shop, **q), **{"from": first_day, "to": first_day})
    assert [m["display_name"] for m in listed] == ["Early Bird"]
    listed, _ = every_page(lambda **q: members(shop, **q), **{"from": today()})
    assert [m["display_name"] for m in listed] == ["Late Comer"]


def test_the_ledger_export_pages_through_a_date_range_oldest_first(world, shop, customer):
    before = today()
    visit = world.visit(shop, customer)
    world.earn(visit, 5_00).expect(201)
    clock.advance(2 * DAY)
    start = today()
    for amount in (1_00, 2_00, 3_00, 4_00, 5_00):
        world.earn(world.visit(shop, customer), amount).expect(201)
    clock.advance(2 * DAY)
    world.earn(world.visit(shop, customer), 9_00).expect(201)  # after the range
    rows, pages = every_page(
        lambda **q: export(shop, **q), **{"from": start, "to": start, "limit": "2"}
    )
    assert pages == 3
    assert [r["points"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows == sorted(rows, key=lambda r: r["tx_id"])
    everything, _ = every_page(lambda **q: export(shop, **q), **{"from": before, "to": today()})
    assert len(everything) == 7


def test_a_cursor_of_one_range_is_refused_by_another(world, shop, customer):
    for _ in range(3):
        world.earn(world.visit(shop, customer), 1_00).expect(201)
    page = export(shop, **{"from": today(), "to": today(), "limit": "1"}).expect(200)
    other = export(shop, **{"from": "2020-01-01", "to": today(), "cursor": page["next_cursor"]})
    assert (other.status, other.code) == (400, "bad_cursor")


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-02-10", "to": "2026-02-01"},
        {"from": "2026-02-30", "to": "2026-03-01"},
        {"from": "yesterday", "to": "2026-03-01"},
        {"to": "2026-03-01"},
        {"from": "2026-02-01", "to": "2026-03-01", "limit": "501"},
        {"from": "0001-01-01", "to": "2026-03-01"},
        {"from": "2026-02-01", "to": "9999-12-31"},
    ],
)
def test_bad_ranges_are_refused(shop, query):
    reply = export(shop, **query)
    assert (reply.status, reply.code) == (422, "validation_error")


def test_only_the_owner_sees_members_and_exports(world, shop, staff, customer):
    """Attack: a cashier (or the owner of another business) downloads the customer list."""
    world.earn(world.visit(shop, customer), 10_00).expect(201)
    rival = world.business(world.owner("Rita Rival"), "Rival Café")
    span = {"from": today(), "to": today()}
    for fetch in (members, export):
        assert fetch(shop, by=staff, **span).code == "owner_only"
        refused = fetch(shop, by=rival.owner, **span)
        assert (refused.status, refused.code) == (403, "forbidden")
        assert customer.name not in refused.text
        assert fetch(shop, by=customer, **span).code == "forbidden"
        # The rival's own export holds nothing of ours.
        own, _ = every_page(lambda f=fetch, **q: f(rival, **q), **span)
        assert own == []

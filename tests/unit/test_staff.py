"""Roles by consent (invariant 10): invitations, leaving, caps, and my businesses a page at a time.

The attack (issue 12, 3): an owner attaches any account as staff by email, learns from the
answer whether the account exists, the victim cannot leave, and thousands of attachments
make the victim's `GET /me/merchants` slow. Each test below performs a piece of it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import boto3
import pytest

from backend import clock, config
from backend.dal import dynamodb as db
from loyalty import bounds
from tests.support.world import Business, Person, World, call

Calls = Counter[str]


@contextmanager
def dynamodb_calls() -> Iterator[Calls]:
    """Counts the DynamoDB operations the API makes meanwhile, by name."""
    seen: Calls = Counter()

    def count(model, **_):  # type: ignore[no-untyped-def]
        seen[model.name] += 1

    events = db.client().meta.events
    events.register("before-call.dynamodb", count)
    try:
        yield seen
    finally:
        events.unregister("before-call.dynamodb", count)


def acts_for(person: Person, shop: Business) -> bool:
    """Whether `person` can read the business's ledger (what any staff member can)."""
    return call("GET", f"{shop.path}/transactions", user=person).status == 200


def my_businesses(person: Person) -> list[tuple[str, str]]:
    items = call("GET", "/me/merchants", user=person, query={"limit": "100"}).body["items"]
    return [(m["name"], m["role"]) for m in items]


def waiting(person: Person) -> list[dict]:
    return call("GET", "/me/invitations", user=person).body["items"]


# ------------------------------------------------------------------ consent


def test_an_invited_person_is_not_staff_until_they_accept(world: World, customer: Person):
    shop = world.business(world.owner())
    sent = world.invite(shop, customer.email)
    assert sent.status == 202
    assert sent.body["invitation"]["email"] == customer.email

    # Invited is not hired: no till, no ledger, no business in their list.
    assert not acts_for(customer, shop)
    assert (
        world.open_visit(shop, world.token(world.customer("Dee"))["token"], customer).status == 403
    )
    assert my_businesses(customer) == []
    (invitation,) = waiting(customer)
    assert (invitation["merchant_name"], invitation["invited_by"]) == ("Café Rosa", "Olga Owner")
    staff_list = call("GET", f"{shop.path}/staff", user=shop.owner).body["staff"]
    assert [s["role"] for s in staff_list] == ["owner"]

    # The link shows them the business; accepting makes them staff, at once.
    token = invitation["token"]
    shown = call("GET", f"/invitations/{token}", user=customer)
    assert (shown.status, shown.body["merchant_id"]) == (200, shop.merchant_id)
    accepted = call("POST", f"/invitations/{token}/accept", user=customer)
    assert accepted.status == 200
    assert accepted.body == {
        "merchant_id": shop.merchant_id,
        "name": "Café Rosa",
        "category": "cafe",
        "role": "staff",
    }
    assert acts_for(customer, shop)
    assert my_businesses(customer) == [("Café Rosa", "staff")]
    assert waiting(customer) == []
    assert call("GET", f"{shop.path}/invitations", user=shop.owner).body["invitations"] == []
    # Single use: the link is spent.
    again = call("POST", f"/invitations/{token}/accept", user=customer)
    assert (again.status, again.code) == (404, "not_found")


def test_a_declined_invitation_leaves_nothing_behind(world: World, customer: Person):
    shop = world.business(world.owner())
    world.invite(shop, customer.email).expect(202)
    token = world.invitation(customer, shop)
    assert call("POST", f"/invitations/{token}/decline", user=customer).status == 204
    assert not acts_for(customer, shop)
    assert waiting(customer) == []
    assert call("GET", f"{shop.path}/invitations", user=shop.owner).body["invitations"] == []
    for method, path in (("GET", ""), ("POST", "/accept"), ("POST", "/decline")):
        reply = call(method, f"/invitations/{token}{path}", user=customer)
        assert (reply.status, reply.code) == (404, "not_found")


def test_the_link_answers_only_the_account_it_was_sent_to(world: World, customer: Person):
    shop = world.business(world.owner())
    world.invite(shop, customer.email).expect(202)
    token = world.invitation(customer, shop)
    forged = f"{shop.merchant_id}.{'A' * 24}"
    garbage = call("GET", f"/invitations/{forged}", user=customer)
    mallory = world.customer("Mallory")
    for someone in (mallory, shop.owner):
        for method, path in (("GET", ""), ("POST", "/accept"), ("POST", "/decline")):
            reply = call(method, f"/invitations/{token}{path}", user=someone)
            # The same 404 as a made-up token: nothing says whose the invitation is.
            assert (reply.status, reply.body) == (404, garbage.body), (someone.name, path)
    assert not acts_for(mallory, shop)
    assert call("POST", f"/invitations/{forged}/accept", user=customer).status == 404
    assert [i["token"] for i in waiting(customer)] == [token]


def test_an_email_without_an_account_is_invited_and_accepts_after_signing_up(world: World):
    shop = world.business(world.owner())
    world.invite(shop, "newbie@example.com").expect(202)
    newbie = world.person("Nia Newbie", email="newbie@example.com")
    assert not acts_for(newbie, shop)
    call("POST", f"/invitations/{world.invitation(newbie, shop)}/accept", user=newbie).expect(200)
    assert acts_for(newbie, shop)


def test_an_expired_invitation_cannot_be_accepted(world: World, customer: Person):
    shop = world.business(world.owner())
    world.invite(shop, customer.email).expect(202)
    token = world.invitation(customer, shop)
    clock.advance(config.INVITATION_TTL_SECONDS + 1)
    for method, path in (("GET", ""), ("POST", "/accept")):
        reply = call(method, f"/invitations/{token}{path}", user=customer)
        assert (reply.status, reply.code) == (410, "invitation_expired")
    assert not acts_for(customer, shop)
    assert waiting(customer) == []
    assert call("GET", f"{shop.path}/invitations", user=shop.owner).body["invitations"] == []
    # The business can invite them again; the old link stays dead.
    world.invite(shop, customer.email).expect(202)
    fresh = world.invitation(customer, shop)
    assert fresh != token
    assert call("POST", f"/invitations/{token}/accept", user=customer).status == 404
    call("POST", f"/invitations/{fresh}/accept", user=customer).expect(200)


def test_a_cancelled_invitation_link_stops_working(world: World, customer: Person):
    shop = world.business(world.owner())
    sent = world.invite(shop, customer.email).expect(202)["invitation"]
    token = world.invitation(customer, shop)
    again = world.invite(shop, customer.email)
    assert (again.status, again.code) == (409, "already_invited")
    path = f"{shop.path}/invitations/{sent['invitation_id']}"
    assert call("DELETE", path, user=world.customer("Eve")).status == 403
    assert call("DELETE", path, user=shop.owner).status == 204
    assert call("DELETE", path, user=shop.owner).status == 404
    assert call("POST", f"/invitations/{token}/accept", user=customer).status == 404
    assert not acts_for(customer, shop)


def test_inviting_someone_who_already_works_there(world: World, shop: Business, staff: Person):
    own = world.invite(shop, shop.owner.email)
    assert (own.status, own.code) == (409, "already_staff")
    # Anyone else's email gets the usual answer (it must not tell who has an account); the
    # staff member's "yes" then finds nothing to change, and the invitation goes.
    world.invite(shop, staff.email).expect(202)
    accepted = call("POST", f"/invitations/{world.invitation(staff, shop)}/accept", user=staff)
    assert (accepted.status, accepted.code) == (409, "already_staff")
    assert waiting(staff) == []
    assert my_businesses(staff) == [("Café Rosa", "staff")]


# ------------------------------------------------------------------ no account oracle


def _normalised(text: str, email: str) -> str:
    return re.sub(r"i_[0-9a-z]{26}", "<id>", text.replace(email, "<email>"))


def test_the_answer_is_the_same_whether_or_not_an_account_uses_the_email(
    world: World, monkeypatch: pytest.MonkeyPatch
):
    shop = world.business(world.owner())
    world.person("Kim Known", email="known@example.com")
    frozen = clock.now()
    monkeypatch.setattr(clock, "now", lambda: frozen)  # the same second for both answers
    answers = {}
    for email in ("known@example.com", "nobod@example.com"):  # the same length, too
        with dynamodb_calls() as work:
            reply = world.invite(shop, email)
        answers[email] = (
            reply.status,
            sorted(reply.headers.items()),
            _normalised(reply.text, email),
            dict(work),
        )
    known, unknown = answers.values()
    assert known == unknown  # status, headers, body byte for byte, and the work behind them
    assert known[0] == 202


def test_the_staff_routes_read_no_email_lookup(world: World, customer: Person):
    """Nothing on the owner's side resolves an email to an account: the EMAIL# item written at
    sign-up is not read by any route (only the invitee's own profile says who they are)."""
    shop = world.business(world.owner())
    table, lookup = boto3.client("dynamodb"), db.key(f"EMAIL#{customer.email}", "USER")
    assert "Item" in table.get_item(TableName=config.TABLE_NAME, Key=lookup)
    table.delete_item(TableName=config.TABLE_NAME, Key=lookup)
    world.staff(shop, customer)  # invite, list, accept: all without the lookup
    assert acts_for(customer, shop)


# ------------------------------------------------------------------ leaving


def test_staff_can_leave_and_the_owner_cannot(world: World, shop: Business, staff: Person):
    path = f"/me/merchants/{shop.merchant_id}"
    assert call("GET", path, user=staff).body["role"] == "staff"
    assert call("DELETE", path, user=staff).status == 204
    assert not acts_for(staff, shop)
    assert my_businesses(staff) == []
    assert call("GET", path, user=staff).status == 404
    assert call("DELETE", path, user=staff).status == 404
    listed = call("GET", f"{shop.path}/staff", user=shop.owner).body["staff"]
    assert [s["user_id"] for s in listed] == [shop.owner.user_id]

    owner = call("DELETE", path, user=shop.owner)
    assert (owner.status, owner.code) == (409, "owner_cannot_leave")
    assert "own this business" in owner.body["error"]["message"]
    assert acts_for(shop.owner, shop)
    stranger = call("DELETE", path, user=world.customer("Eve"))
    assert (stranger.status, stranger.code) == (404, "not_found")
    assert call("DELETE", "/me/merchants/m_unknown", user=staff).status == 404


def test_the_owner_manages_the_staff(world: World, shop: Business, staff: Person):
    path = f"{shop.path}/staff"
    listed = call("GET", path, user=shop.owner).body["staff"]
    assert sorted((s["user_id"], s["role"]) for s in listed) == sorted(
        [(shop.owner.user_id, "owner"), (staff.user_id, "staff")]
    )
    assert call("GET", path, user=staff).status == 403
    assert world.invite(shop, "hira@example.com", by=staff).status == 403
    assert call("GET", f"{shop.path}/invitations", user=staff).status == 403
    hire = world.staff(shop, world.person("Hira"))
    listed = call("GET", path, user=shop.owner).body["staff"]
    assert [s["display_name"] for s in listed if s["user_id"] == hire.user_id] == ["Hira"]
    owner = call("DELETE", f"{path}/{shop.owner.user_id}", user=shop.owner)
    assert (owner.status, owner.code) == (409, "cannot_remove_owner")
    assert call("DELETE", f"{path}/{hire.user_id}", user=shop.owner).status == 204
    assert call("DELETE", f"{path}/{hire.user_id}", user=shop.owner).status == 404
    assert my_businesses(hire) == []


# ------------------------------------------------------------------ caps


def test_a_flood_of_invitations_stops_at_the_cap(world: World):
    shop = world.business(world.owner())
    cap = bounds.PENDING_INVITATIONS_PER_BUSINESS
    for n in range(cap):
        world.invite(shop, f"victim{n}@example.com").expect(202)
    flood = world.invite(shop, "one-more@example.com")
    assert (flood.status, flood.code) == (409, "too_many_invitations")
    assert str(cap) in flood.body["error"]["message"]
    listed = call("GET", f"{shop.path}/invitations", user=shop.owner).body["invitations"]
    assert len(listed) == cap

    # An answer or a cancellation frees a place...
    call("DELETE", f"{shop.path}/invitations/{listed[0]['invitation_id']}", user=shop.owner)
    world.invite(shop, "one-more@example.com").expect(202)
    assert world.invite(shop, "and-another@example.com").status == 409
    # ...and so does time: expired invitations give their places back.
    clock.advance(config.INVITATION_TTL_SECONDS + 1)
    for n in range(cap):
        world.invite(shop, f"later{n}@example.com").expect(202)
    assert world.invite(shop, "too-late@example.com").code == "too_many_invitations"


def test_concurrent_invitations_stop_exactly_at_the_cap(world: World):
    shop = world.business(world.owner())
    cap = bounds.PENDING_INVITATIONS_PER_BUSINESS
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(
            pool.map(lambda n: world.invite(shop, f"rush{n}@example.com"), range(2 * cap))
        )
    assert Counter(r.status for r in replies) == {202: cap, 409: cap}
    listed = call("GET", f"{shop.path}/invitations", user=shop.owner).body["invitations"]
    assert len(listed) == cap


def test_invitations_deleted_by_ttl_do_not_keep_their_places(world: World):
    """DynamoDB's TTL deletes expired items without telling the counter: a business that
    seems full counts again before it refuses."""
    shop = world.business(world.owner())
    cap = bounds.PENDING_INVITATIONS_PER_BUSINESS
    for n in range(cap):
        world.invite(shop, f"gone{n}@example.com").expect(202)
    table = boto3.client("dynamodb")
    for n in range(cap // 2):  # what TTL would do, some time after they expired
        key = db.key(f"MERCHANT#{shop.merchant_id}", f"INVITE#gone{n}@example.com")
        table.delete_item(TableName=config.TABLE_NAME, Key=key)
    for n in range(cap // 2):
        world.invite(shop, f"new{n}@example.com").expect(202)
    assert world.invite(shop, "over@example.com").code == "too_many_invitations"


def test_an_account_holds_a_capped_number_of_businesses(world: World):
    person = world.person("Chain Owner")
    cap = bounds.BUSINESSES_PER_ACCOUNT
    elsewhere = world.business(world.owner("Other Owner"), "Elsewhere")
    world.staff(elsewhere, person)
    for n in range(cap - 1):
        world.business(person, f"Shop {n:02d}")
    refused = call("POST", "/merchants", user=person, body={"name": "One more", "category": "cafe"})
    assert (refused.status, refused.code) == (409, "too_many_businesses")

    # Accepting counts too: at the cap, a yes is refused and the invitation keeps waiting.
    third = world.business(world.owner("Third Owner"), "Third")
    world.invite(third, person.email).expect(202)
    token = world.invitation(person, third)
    over = call("POST", f"/invitations/{token}/accept", user=person)
    assert (over.status, over.code) == (409, "too_many_businesses")
    assert not acts_for(person, third)
    # Leaving one frees a place.
    assert call("DELETE", f"/me/merchants/{elsewhere.merchant_id}", user=person).status == 204
    call("POST", f"/invitations/{token}/accept", user=person).expect(200)
    assert acts_for(person, third)


# ------------------------------------------------------------------ my businesses


def test_my_merchants_lists_roles(shop: Business, staff: Person, customer: Person):
    assert call("GET", "/me/merchants", user=shop.owner).body == {
        "items": [
            {
                "merchant_id": shop.merchant_id,
                "name": "Café Rosa",
                "category": "cafe",
                "role": "owner",
            }
        ],
        "next_cursor": None,
    }
    assert my_businesses(staff) == [("Café Rosa", "staff")]
    assert my_businesses(customer) == []
    mine = call("GET", f"/me/merchants/{shop.merchant_id}", user=staff)
    assert (mine.status, mine.body["role"]) == (200, "staff")
    assert call("GET", f"/me/merchants/{shop.merchant_id}", user=customer).status == 404


def test_my_merchants_come_a_page_at_a_time_read_in_batches(world: World):
    person = world.person("Busy Bee")
    names = [f"Shop {n}" for n in range(5)]
    for name in names[:3]:
        world.business(person, name)
    for name in names[3:]:
        world.staff(world.business(world.owner(f"Owner of {name}"), name), person)

    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        with dynamodb_calls() as work:
            page = call("GET", "/me/merchants", user=person, query=query).expect(200)
        # One Query for the page's roles and one BatchGetItem for their businesses: never
        # a GetItem per business, however many there are.
        assert work["GetItem"] == 0 and work["BatchGetItem"] <= 1 and work["Query"] == 1, work
        assert len(page["items"]) <= 2
        seen += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == 3
    assert sorted(m["name"] for m in seen) == names
    assert Counter(m["role"] for m in seen) == {"owner": 3, "staff": 2}

    foreign = call("GET", "/transactions", user=person, query={"limit": "1"}).body["next_cursor"]
    first = call("GET", "/me/merchants", user=person, query={"limit": "1"}).body["next_cursor"]
    stolen = call("GET", "/me/merchants", user=world.person("Nosy"), query={"cursor": first})
    assert (stolen.status, stolen.code) == (400, "bad_cursor")
    assert (
        foreign is None
        or call("GET", "/me/merchants", user=person, query={"cursor": foreign}).code == "bad_cursor"
    )


def test_my_invitations_come_a_page_at_a_time(world: World, customer: Person):
    shops = [world.business(world.owner(f"Owner {n}"), f"Shop {n}") for n in range(3)]
    for shop in shops:
        world.invite(shop, customer.email).expect(202)
    first = call("GET", "/me/invitations", user=customer, query={"limit": "2"}).body
    rest = call(
        "GET",
        "/me/invitations",
        user=customer,
        query={"limit": "2", "cursor": first["next_cursor"]},
    ).body
    assert rest["next_cursor"] is None
    assert sorted(i["merchant_name"] for i in first["items"] + rest["items"]) == [
        "Shop 0",
        "Shop 1",
        "Shop 2",
    ]
    # A page's cursor still works after the invitation it stopped at has expired.
    clock.advance(config.INVITATION_TTL_SECONDS + 1)
    late = call("GET", "/me/invitations", user=customer, query={"cursor": first["next_cursor"]})
    assert (late.status, late.body["items"]) == (200, [])

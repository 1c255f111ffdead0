"""Staff by consent through the local cloud (issue 12, attack 3): real sign-ups, real tokens,
the gateway's routes from template.yaml. Each test performs a piece of the attack and
asserts it fails: attaching someone without their yes, telling from the answer whether an
email has an account, trapping staff, flooding invitations, swelling `GET /me/merchants`."""

from __future__ import annotations

import re

from loyalty import bounds
from tests.support.local_cloud import new_email
from tests.support.world import Business, Person, World

# Headers that differ between any two answers (request ids, the time).
_PER_ANSWER = {"apigw-requestid", "date", "content-length"}


def _acts_for(world: World, person: Person, shop: Business) -> bool:
    return world.call("GET", f"{shop.path}/transactions", person).status == 200


def _names(world: World, person: Person) -> list[str]:
    page = world.call("GET", "/me/merchants", person, query={"limit": 100}).expect(200)
    return sorted(m["name"] for m in page["items"])


def test_nobody_becomes_staff_without_accepting(world: World) -> None:
    shop = world.business(world.owner(), "Consent Café")
    victim = world.person("Vic Victim")
    world.invite(shop, victim.email).expect(202)
    # The attacker's "attachment" did nothing: no till, no ledger, no entry in the list.
    assert not _acts_for(world, victim, shop)
    assert "Consent Café" not in _names(world, victim)
    refused = world.open_visit(shop, world.token(world.customer())["token"], by=victim)
    assert refused.status == 403

    token = world.invitation(victim, shop)
    assert world.call("POST", f"/invitations/{token}/decline", victim).status == 204
    assert not _acts_for(world, victim, shop)
    assert world.call("POST", f"/invitations/{token}/accept", victim).status == 404

    # With a yes, and only then, they work there.
    world.staff(shop, victim)
    assert _acts_for(world, victim, shop)


def test_the_answer_does_not_tell_whether_an_email_has_an_account(world: World) -> None:
    shop = world.business(world.owner(), "Oracle Café")
    known = world.person("Kai Known")
    unknown = "x" * (len(known.email) - len("@example.com")) + "@example.com"
    assert len(unknown) == len(known.email)
    answers = []
    for email in (known.email, unknown):
        reply = world.invite(shop, email)
        body = re.sub(r"i_[0-9a-z]{26}", "<id>", reply.text.replace(email, "<email>"))
        # Only the clock may move between the two requests (the unit suite freezes it).
        body = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "<time>", body)
        headers = sorted((k, v) for k, v in reply.headers.items() if k not in _PER_ANSWER)
        answers.append((reply.status, headers, body))
    assert answers[0] == answers[1]
    assert answers[0][0] == 202


def test_an_invitation_waits_for_someone_who_signs_up_later(world: World) -> None:
    shop = world.business(world.owner(), "Later Café")
    email = new_email("later")
    world.invite(shop, email).expect(202)
    newcomer = world.person("Lee Later", email=email)  # Cognito sign-up, the code, SRP
    mine = world.invitation(newcomer, shop)
    shown = world.call("GET", f"/invitations/{mine}", newcomer)
    assert (shown.status, shown.body["merchant_name"]) == (200, "Later Café")
    world.call("POST", f"/invitations/{mine}/accept", newcomer).expect(200)
    assert _acts_for(world, newcomer, shop)
    # The link is theirs alone: the owner holding it hears nothing about it.
    stranger = world.person("Stan Stranger")
    world.invite(shop, stranger.email).expect(202)
    token = world.invitation(stranger, shop)
    for someone in (shop.owner, newcomer):
        assert world.call("POST", f"/invitations/{token}/accept", someone).status == 404
    assert not _acts_for(world, stranger, shop)


def test_staff_can_leave_and_the_owner_cannot(world: World) -> None:
    shop = world.business(world.owner(), "Leave Café")
    cashier = world.staff(shop)
    assert world.call("DELETE", f"/me/merchants/{shop.merchant_id}", cashier).status == 204
    assert not _acts_for(world, cashier, shop)
    assert "Leave Café" not in _names(world, cashier)
    owner = world.call("DELETE", f"/me/merchants/{shop.merchant_id}", shop.owner)
    assert (owner.status, owner.code) == (409, "owner_cannot_leave")
    assert _acts_for(world, shop.owner, shop)


def test_a_flood_of_invitations_stops_at_the_cap(world: World) -> None:
    shop = world.business(world.owner(), "Flood Café")
    cap = bounds.PENDING_INVITATIONS_PER_BUSINESS
    statuses = [
        world.invite(shop, f"flood{n}-{shop.merchant_id}@example.com") for n in range(cap + 5)
    ]
    assert [r.status for r in statuses] == [202] * cap + [409] * 5
    assert {r.code for r in statuses[cap:]} == {"too_many_invitations"}
    listed = world.call("GET", f"{shop.path}/invitations", shop.owner).expect(200)
    assert len(listed["invitations"]) == cap


def test_my_merchants_come_a_page_at_a_time(world: World) -> None:
    person = world.person("Pat Pages")
    owned = [world.business(person, f"Own {n}").name for n in range(3)]
    joined = world.business(world.owner(), "Joined")
    world.staff(joined, person)
    seen, cursor = [], None
    for _ in range(10):
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = world.call("GET", "/me/merchants", person, query=query).expect(200)
        assert len(page["items"]) <= 2
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(m["name"] for m in seen) == sorted([*owned, "Joined"])
    mine = world.call("GET", f"/me/merchants/{joined.merchant_id}", person).expect(200)
    assert mine["role"] == "staff"

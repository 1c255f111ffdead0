"""QR tokens and visits: single use, short-lived, refused with a reason (invariants 4, 7)."""

from backend import clock
from backend.dal import dynamodb as db
from backend.dal import keys
from backend.logic import qr_tokens
from tests.support.world import call


def test_issued_token_is_compact_url_safe_and_lives_sixty_seconds(world, customer):
    issued = world.token(customer)
    assert issued["expires_in"] == 60
    assert len(issued["token"]) < 200
    assert all(c.isalnum() or c in "-_." for c in issued["token"])
    assert issued["short_code"].isdigit() and len(issued["short_code"]) == 6


def test_scanning_opens_a_visit_with_the_customers_standing(world, shop, customer):
    scanned = world.open_visit(shop, world.token(customer)["token"])
    assert scanned.status == 201
    body = scanned.body
    assert body["customer"] == {"customer_id": customer.user_id, "display_name": customer.name}
    assert (body["balance"], body["earned"], body["tier"]["name"]) == (0, False, "Bronze")
    assert [r["name"] for r in body["rewards"]] == ["Free coffee"]
    assert body["affordable_rewards"] == []


def test_a_used_token_is_refused(world, shop, customer):
    token = world.token(customer)["token"]
    assert world.open_visit(shop, token).status == 201
    again = world.open_visit(shop, token)
    assert (again.status, again.code) == (409, "token_used")
    elsewhere = world.open_visit(shop, token, by=shop.owner)
    assert (elsewhere.status, elsewhere.code) == (409, "token_used")


def test_an_expired_token_is_refused(world, shop, customer):
    token = world.token(customer)["token"]
    clock.advance(61)
    reply = world.open_visit(shop, token)
    assert (reply.status, reply.code) == (410, "token_expired")


def test_a_tampered_token_is_refused(world, shop, customer):
    token = world.token(customer)["token"]
    version, kid, _, token_id, sig = token.split(".")
    for bad in (
        f"{version}.{kid}.{shop.owner.user_id}.{token_id}.{sig}",  # another id, same signature
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "not-a-token",
        "e1.x.y.z",
    ):
        reply = world.open_visit(shop, bad)
        assert (reply.status, reply.code) == (400, "token_invalid"), bad


def test_a_token_from_another_deployment_is_refused(world, shop, customer):
    foreign, _ = qr_tokens.issue(b"another-deployment-key", customer.user_id, clock.now_s(), 60)
    reply = world.open_visit(shop, foreign)
    assert (reply.status, reply.code) == (400, "token_foreign")


def test_staff_cannot_scan_their_own_code(world, shop, staff):
    reply = world.open_visit(shop, world.token(staff)["token"], by=staff)
    assert (reply.status, reply.code) == (403, "self_scan")


def test_the_short_code_works_once_and_expires(world, shop, customer):
    first = world.token(customer)
    assert world.open_visit(shop, first["short_code"]).opened()["customer"]["display_name"]
    # Used, expired: the till hears the one answer every failed typed code gets.
    assert world.open_visit(shop, first["short_code"]).code == "code_refused"
    assert world.open_visit(shop, first["token"]).code == "token_used"  # the QR, likewise used
    second = world.token(customer)
    clock.advance(61)
    assert world.open_visit(shop, second["short_code"]).code == "code_refused"


def test_issuing_writes_only_the_short_code_item(world, customer):
    issued = world.token(customer)
    assert db.get(keys.short_code(issued["short_code"]), "CODE")["customer_id"] == customer.user_id
    assert db.get(keys.qr_used(issued["token_id"]), "USED") is None


def test_token_status_is_for_its_owner_only(world, shop, staff, customer):
    issued = world.token(customer)
    path = f"/qr-tokens/{issued['token_id']}"
    pending = call("GET", path, user=customer).body
    assert (pending["status"], pending["merchant"], pending["balance"]) == ("pending", None, None)
    assert call("GET", path, user=staff).status == 404
    assert call("GET", "/qr-tokens/q_garbage", user=customer).status == 404
    visit = world.visit(shop, code=issued["token"])
    world.earn(visit, 20_00)
    scanned = call("GET", path, user=customer).body
    assert scanned["status"] == "scanned"
    assert scanned["merchant"] == {"merchant_id": shop.merchant_id, "name": "Café Rosa"}
    assert [(a["kind"], a["points"], a["balance_after"]) for a in scanned["activity"]] == [
        ("earn", 20, 20)
    ]
    assert scanned["balance"] == 20
    assert call("GET", path, user=shop.owner).status == 404


def test_token_status_turns_expired(world, customer):
    issued = world.token(customer)
    clock.advance(61)
    assert (
        call("GET", f"/qr-tokens/{issued['token_id']}", user=customer).body["status"] == "expired"
    )


def test_scanning_for_a_business_you_do_not_work_at_is_403_and_burns_nothing(
    world, shop, staff, customer
):
    token = world.token(customer)["token"]
    stranger = call("POST", f"{shop.path}/visits", user="someone-else", body={"token": token})
    assert (stranger.status, stranger.code) == (403, "forbidden")
    assert world.open_visit(shop, token).status == 201  # the token still works for real staff
    unknown = call("POST", "/merchants/m_nope/visits", user=staff, body={"token": token})
    assert (unknown.status, unknown.code) == (404, "not_found")

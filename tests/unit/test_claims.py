"""Receipts' claim codes: issued at the till, claimed once by the customer, within 7 days,
at that business, under its rules then, and not guessable."""

import threading

import pytest

from backend import clock, config
from backend.logic import claims, errors, expiry, limits
from backend.logic.idempotency import from_request
from loyalty import claim_codes
from tests.support.world import call, idempotency_key

DAY = 86_400


def issue(shop, amount_cents, by=None):
    return call(
        "POST",
        f"{shop.path}/claim-codes",
        user=by or shop.till,
        body={"amount_cents": amount_cents},
    )


def codes(shop, by=None):
    return call("GET", f"{shop.path}/claim-codes", user=by or shop.till).expect(200)["items"]


@pytest.fixture
def receipt(shop):
    """A 12.50 purchase closed without a scan: its claim code as issued."""
    return issue(shop, 12_50).expect(201)


def test_staff_issue_a_code_bound_to_the_business_and_the_amount(shop, staff, receipt):
    assert claim_codes.normalize(receipt["code"]) is not None
    assert len(receipt["code"]) == 14 and receipt["code"][4] == receipt["code"][9] == "-"
    assert (receipt["amount_cents"], receipt["status"], receipt["issued_by"]) == (
        1250,
        "open",
        staff.user_id,
    )
    assert receipt["merchant_name"] == shop.name
    valid = expiry.epoch_of(receipt["valid_until"]) - clock.now_s()
    assert 7 * DAY - 5 <= valid <= 7 * DAY
    listed = codes(shop)
    assert [c["claim_id"] for c in listed] == [receipt["claim_id"]]
    assert "code" not in listed[0]  # shown once, at the till


def test_the_code_itself_is_not_stored(moto_account, receipt):
    """Attack: someone with a copy of the table looks for codes to claim."""
    everything = moto_account.scan(TableName=config.TABLE_NAME)["Items"]
    dump = str(everything)
    plain = claim_codes.normalize(receipt["code"])
    assert plain not in dump and receipt["code"] not in dump


def test_the_customer_claims_the_points_at_that_business(world, shop, staff, customer, receipt):
    body = world.claim(customer, receipt["code"]).expect(201)
    tx = body["transaction"]
    assert (tx["kind"], tx["points"], tx["amount_cents"]) == ("earn", 12, 1250)
    assert (tx["merchant_id"], tx["customer_id"], tx["staff_id"]) == (
        shop.merchant_id,
        customer.user_id,
        staff.user_id,
    )
    assert tx["claim_id"] == receipt["claim_id"] and tx["customer_name"] == customer.name
    assert body["balance"] == 12 == world.balance(customer, shop)
    assert codes(shop)[0]["status"] == "claimed" and codes(shop)[0]["tx_id"] == tx["tx_id"]


def test_the_claim_earns_under_the_customers_tier_then(world, shop, customer):
    world.earn(world.visit(shop, customer), 500_00).expect(201)  # Silver (x1.25) from now
    code = issue(shop, 100_00).expect(201)["code"]
    assert world.claim(customer, code).expect(201)["transaction"]["points"] == 125


def test_a_code_claimed_twice_earns_once(world, shop, customer, receipt):
    world.claim(customer, receipt["code"]).expect(201)
    again = world.claim(customer, receipt["code"])
    assert (again.status, again.code) == (409, "claim_code_used")
    friend = world.customer("Fred Friend")
    stolen = world.claim(friend, receipt["code"])
    assert (stolen.status, stolen.code) == (409, "claim_code_used")
    assert world.balance(customer, shop) == 12 and world.balance(friend, shop) == 0


def test_a_retried_claim_returns_the_first_answer(world, shop, customer, receipt):
    key = idempotency_key()
    first = world.claim(customer, receipt["code"], key=key)
    again = world.claim(customer, receipt["code"], key=key)
    assert (first.status, again.status) == (201, 201) and first.body == again.body
    assert world.balance(customer, shop) == 12


def test_two_customers_racing_for_one_code_one_wins(world, shop, receipt):
    """Each thread calls the domain directly (a Lambda container serves one request at a
    time): concurrency lives between containers, meeting only in DynamoDB."""
    people = [world.customer(f"Racer {i}") for i in range(6)]
    code = claim_codes.normalize(receipt["code"])
    outcomes: list[object] = []

    def go(person):
        idem = from_request(person.user_id, idempotency_key(), "POST", "/claims", "{}")
        try:
            outcomes.append(claims.claim(person.user_id, code, None, idem)["balance"])
        except errors.DomainError as refused:
            outcomes.append(refused.code)

    threads = [threading.Thread(target=go, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str) == [12] + ["claim_code_used"] * 5
    assert sum(world.balance(p, shop) for p in people) == 12


def test_an_expired_code_earns_nothing(world, shop, customer, receipt):
    clock.advance(7 * DAY + 1)
    reply = world.claim(customer, receipt["code"])
    assert (reply.status, reply.code) == (410, "claim_code_expired")
    assert world.balance(customer, shop) == 0


def test_a_code_typed_for_another_business_is_not_found_and_stays_valid(
    world, shop, customer, receipt
):
    """Attack/mistake: a code of Café Rosa claimed on another business's page."""
    rival = world.business(world.owner("Rita Rival"), "Rival Café")
    reply = world.claim(customer, receipt["code"], merchant_id=rival.merchant_id)
    assert (reply.status, reply.code) == (404, "not_found")
    assert world.balance(customer, rival) == 0
    world.claim(customer, receipt["code"], merchant_id=shop.merchant_id).expect(201)
    assert world.balance(customer, shop) == 12


def test_a_business_cannot_claim_its_own_receipts(world, shop, staff, receipt):
    """Attack: the cashier closes sales without a scan and keeps the points."""
    for insider in (staff, shop.owner):
        reply = world.claim(insider, receipt["code"])
        assert (reply.status, reply.code) == (403, "own_claim")
        assert world.balance(insider, shop) == 0
    assert codes(shop)[0]["status"] == "open"


def test_a_refunded_sale_voids_its_code(world, shop, customer, receipt):
    voided = call(
        "DELETE", f"{shop.path}/claim-codes/{receipt['claim_id']}", user=shop.till
    ).expect(200)
    assert voided["status"] == "voided"
    reply = world.claim(customer, receipt["code"])
    assert (reply.status, reply.code) == (409, "claim_code_voided")
    assert world.balance(customer, shop) == 0
    second = issue(shop, 5_00).expect(201)
    world.claim(customer, second["code"]).expect(201)
    late = call("DELETE", f"{shop.path}/claim-codes/{second['claim_id']}", user=shop.till)
    assert (late.status, late.code) == (409, "claim_code_used")


def test_the_rules_at_claim_time_apply(world, shop, customer, receipt):
    call(
        "PATCH",
        shop.path,
        user=shop.owner,
        body={"earning_rule": {"points_per_unit": 2, "min_purchase_cents": 20_00}},
    ).expect(200)
    low = world.claim(customer, receipt["code"])
    assert (low.status, low.code) == (422, "below_minimum_purchase")
    assert codes(shop)[0]["status"] == "open"
    too_small = issue(shop, 19_99)
    assert (too_small.status, too_small.code) == (422, "below_minimum_purchase")
    assert (
        world.claim(customer, issue(shop, 20_00).expect(201)["code"]).expect(201)["transaction"][
            "points"
        ]
        == 40
    )


def test_guessing_is_locked_out_after_a_few_failures(world, shop, customer, receipt):
    """Attack: try codes until one works. Good codes cost nothing; failures are counted."""
    world.claim(customer, issue(shop, 1_00).expect(201)["code"]).expect(201)
    for n in range(limits.CLAIM_FAILURES_PER_CALLER.allowance):
        guess = claim_codes.grouped(claim_codes.from_bits(n))
        assert world.claim(customer, guess).status == 404
    locked = world.claim(customer, receipt["code"])
    assert (locked.status, locked.code) == (429, "too_many_requests")
    assert 0 < int(locked.headers["Retry-After"]) <= 3600
    assert world.balance(customer, shop) == 1
    # Another customer is not locked out by this one's guessing.
    other = world.customer("Olive Other")
    world.claim(other, receipt["code"]).expect(201)
    clock.advance(3600)
    assert world.claim(customer, claim_codes.grouped(claim_codes.from_bits(99))).status == 404


@pytest.mark.parametrize(
    "code", ["", "ABCD-EFGH-IJK", "7K3M-Q9XA-2HPDX", "7K3M Q9XA 2HPU", "7K3M-Q9XA-2HP!"]
)
def test_malformed_codes_are_refused_as_input(world, customer, code):
    reply = world.claim(customer, code)
    assert (reply.status, reply.code) == (422, "validation_error")


def test_typing_is_forgiving(world, shop, customer, receipt):
    typed = receipt["code"].lower().replace("-", " ").replace("1", "l").replace("0", "o")
    world.claim(customer, typed).expect(201)


def test_only_staff_issue_list_and_void_codes(world, shop, customer, receipt):
    """Attack: a customer mints codes for themselves, or a rival voids ours."""
    rival = world.business(world.owner("Rita Rival"), "Rival Café")
    for stranger in (customer, rival.owner):
        assert issue(shop, 10_00, by=stranger).code == "forbidden"
        listed = call("GET", f"{shop.path}/claim-codes", user=stranger)
        assert listed.code == "forbidden"
        voided = call("DELETE", f"{shop.path}/claim-codes/{receipt['claim_id']}", user=stranger)
        assert voided.code == "forbidden"
    # Another business's code id is not found at the rival's own business.
    theirs = call("DELETE", f"{rival.path}/claim-codes/{receipt['claim_id']}", user=rival.owner)
    assert (theirs.status, theirs.code) == (404, "not_found")
    assert codes(shop)[0]["status"] == "open"

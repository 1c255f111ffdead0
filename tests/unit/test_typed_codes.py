"""A typed code alone never opens a visit (invariant 8): the customer allows it on My code.

The attack (issue 12): anyone registers a business and types 6-digit guesses at the till.
A hit used to open a visit on a stranger at once, show "Scanned at <the attacker's
business>" on the victim's phone and hand over their id and name. Now a hit only asks the
customer, reveals nothing, and every miss costs one of a few failure slots.
"""

from backend import clock
from backend.logic import errors, limits
from tests.support.conflicts import conflict_once
from tests.support.world import call

GENERIC = errors.CodeRefused.message


def _unused_code(world, customer) -> str:
    """Six digits that no live code holds (the customer's live code is avoided)."""
    live = world.token(customer)["short_code"]
    return "000000" if live != "000000" else "000001"


def test_a_typed_code_asks_the_customer_and_reveals_nothing(world, shop, staff, customer):
    token = world.token(customer)
    asked = world.open_visit(shop, token["short_code"], answer=None)
    assert asked.status == 202
    assert set(asked.body) == {"request_id", "status", "expires_at", "visit"}
    assert (asked.body["status"], asked.body["visit"]) == ("waiting", None)
    assert customer.user_id not in asked.text and customer.name not in asked.text
    waiting = world.visit_request(shop, asked.body["request_id"]).expect(200)
    assert (waiting["status"], waiting["visit"]) == ("waiting", None)

    # The customer's My code screen: which business asks, as plain data.
    status = call("GET", f"/qr-tokens/{token['token_id']}", user=customer).expect(200)
    assert status["status"] == "awaiting_approval"
    assert status["pending_approval"]["merchant"] == {
        "merchant_id": shop.merchant_id,
        "name": "Café Rosa",
    }
    assert status["pending_approval"]["request_id"] == asked.body["request_id"]
    # Nothing opened yet: no visit, no earn possible.
    assert status["activity"] == [] and status["balance"] is None

    allowed = world.approve(customer, token["token_id"]).expect(200)
    assert allowed["status"] == "scanned"
    visit = world.visit_request(shop, asked.body["request_id"]).opened()
    assert visit["customer"] == {"customer_id": customer.user_id, "display_name": customer.name}
    world.call(
        "POST",
        f"{shop.path}/visits/{visit['visit_id']}/earn",
        staff,
        body={"amount_cents": 12_00},
        headers={"Idempotency-Key": "typed-code-earn-1"},
    ).expect(201)
    assert world.balance(customer, shop) == 12


def test_not_me_opens_nothing_and_the_till_hears_the_generic_refusal(world, shop, customer):
    token = world.token(customer)
    refused = world.open_visit(shop, token["short_code"], answer=False)
    assert (refused.status, refused.code) == (400, "code_refused")
    assert refused.body["error"]["message"] == GENERIC
    status = call("GET", f"/qr-tokens/{token['token_id']}", user=customer).expect(200)
    assert (status["status"], status["pending_approval"]) == ("declined", None)
    # The code is burnt: typed again or scanned, it opens nothing.
    assert world.open_visit(shop, token["short_code"]).code == "code_refused"
    assert world.open_visit(shop, token["token"]).code == "token_used"
    # A late "allow" changes nothing.
    late = world.approve(customer, token["token_id"])
    assert (late.status, late.code) == (409, "approval_closed")
    assert world.call("GET", "/wallet", customer).expect(200)["memberships"] == []


def test_an_ignored_request_closes_after_a_minute(world, shop, customer):
    token = world.token(customer)
    asked = world.open_visit(shop, token["short_code"], answer=None).expect(202)
    clock.advance(61)
    closed = world.visit_request(shop, asked["request_id"])
    assert (closed.status, closed.code, closed.body["error"]["message"]) == (
        400,
        "code_refused",
        GENERIC,
    )
    late = world.approve(customer, token["token_id"])
    assert (late.status, late.code) == (409, "approval_closed")


def test_every_failed_typed_code_gets_the_same_answer(world, shop, customer):
    """No such code, expired, used, declined: one status, one code, one sentence."""
    used = world.token(customer)
    world.open_visit(shop, used["short_code"]).opened()
    expired = world.token(customer)
    clock.advance(61)
    answers = {
        "no such code": world.open_visit(shop, _unused_code(world, customer)),
        "expired": world.open_visit(shop, expired["short_code"]),
        "used": world.open_visit(shop, used["short_code"]),
        "declined": world.open_visit(shop, world.token(customer)["short_code"], answer=False),
    }
    seen = {(a.status, a.text) for a in answers.values()}
    assert len(seen) == 1, answers
    assert answers["used"].code == "code_refused"


def test_only_the_codes_customer_can_answer(world, shop, customer):
    token = world.token(customer)
    world.open_visit(shop, token["short_code"], answer=None).expect(202)
    intruder = world.customer("Ivy Intruder")
    for who in (intruder, shop.owner, shop.staff[0]):
        answer = world.approve(who, token["token_id"])
        assert (answer.status, answer.code) == (404, "not_found"), who.name
    # A code nobody typed has nothing to answer.
    fresh = world.token(customer)
    assert world.approve(customer, fresh["token_id"]).code == "not_found"


def test_typed_guesses_lock_the_till_out_after_a_few_failures(world, shop, staff, customer):
    allowance = limits.CODE_FAILURES_PER_CALLER.allowance
    guess = _unused_code(world, customer)
    for _ in range(allowance):
        assert world.open_visit(shop, guess, by=staff).code == "code_refused"
    locked = world.open_visit(shop, guess, by=staff)
    assert (locked.status, locked.code) == (429, "too_many_requests")
    retry_after = int(locked.headers["Retry-After"])
    assert 0 < retry_after <= limits.CODE_FAILURES_PER_CALLER.window_s
    # Locked out even for a real code; the customer's code is not consumed by the refusal.
    real = world.token(customer)
    assert world.open_visit(shop, real["short_code"], by=staff).status == 429
    # The owner's till (another caller) still serves that customer, by camera or typed code.
    assert world.open_visit(shop, real["short_code"], by=shop.owner).opened()
    # The window renews.
    clock.advance(retry_after)
    assert world.open_visit(shop, world.token(customer)["short_code"], by=staff).opened()


def test_a_guess_counted_while_another_till_counts_is_still_counted(
    world, shop, staff, customer, monkeypatch
):
    """Two tills of one business guessing at the same moment meet on the business's counter:
    DynamoDB cancels one transaction as a conflict. It is tried again (no 500 at the till),
    and the guess still counts."""
    guess = _unused_code(world, customer)
    collided = conflict_once(
        monkeypatch, "transact_write_items", when=lambda call: len(call["TransactItems"]) > 1
    )
    for _ in range(limits.CODE_FAILURES_PER_CALLER.allowance):
        assert world.open_visit(shop, guess, by=staff).code == "code_refused"
    monkeypatch.undo()
    assert collided
    locked = world.open_visit(shop, guess, by=staff)
    assert (locked.status, locked.code) == (429, "too_many_requests")


def test_an_allowed_code_gives_its_slots_back_while_another_tills_guess_holds_them(
    world, shop, staff, customer, monkeypatch
):
    """The customer's Allow gives the typed code's slots back (single updates); a guess's
    transaction in flight on the same counters cancels one with TransactionConflictException.
    It is tried again: the customer sees the visit open, and the slot is back."""
    allowance = limits.CODE_FAILURES_PER_CALLER.allowance
    for _ in range(allowance - 1):  # one guess short of the lockout
        assert world.open_visit(shop, _unused_code(world, customer), by=staff).code == (
            "code_refused"
        )
    code = world.token(customer)["short_code"]
    asked = world.open_visit(shop, code, by=staff, answer=None).expect(202)  # the last slot
    collided = conflict_once(
        monkeypatch, "update_item", when=lambda call: call["Key"]["pk"]["S"].startswith("LIMIT#")
    )
    world.answer_code(code).expect(200)
    monkeypatch.undo()
    assert collided
    assert world.visit_request(shop, asked["request_id"], by=staff).opened()
    # The slot came back: the till may type one more code before its lockout.
    assert world.open_visit(shop, world.token(customer)["short_code"], by=staff).opened()


def test_the_business_is_locked_out_however_many_tills_guess(world, shop, customer):
    per_caller = limits.CODE_FAILURES_PER_CALLER.allowance
    per_business = limits.CODE_FAILURES_PER_BUSINESS.allowance
    guess = _unused_code(world, customer)
    tills = [world.staff(shop) for _ in range(per_business // per_caller)]
    for till in tills:
        for _ in range(per_caller):
            assert world.open_visit(shop, guess, by=till).code == "code_refused"
    fresh_till = world.staff(shop)
    locked = world.open_visit(shop, guess, by=fresh_till)
    assert (locked.status, locked.code) == (429, "too_many_requests")
    # Another business is not affected.
    other = world.business(world.owner("Oscar Other"), "Other Shop")
    assert world.open_visit(other, world.token(customer)["short_code"]).opened()


def test_approved_codes_give_their_slot_back(world, shop, staff, customer):
    """An honest till typing codes all day is never locked out by the customers it serves."""
    for _ in range(limits.CODE_FAILURES_PER_CALLER.allowance + 3):
        assert world.open_visit(shop, world.token(customer)["short_code"], by=staff).opened()


def test_strangers_cannot_spend_a_business_s_failure_slots(world, shop, customer):
    stranger = world.person("Mallory")
    guess = _unused_code(world, customer)
    own_limit = limits.PER_CALLER["open_visit"]
    for attempt in range(limits.CODE_FAILURES_PER_BUSINESS.allowance + 1):
        if attempt and attempt % own_limit.allowance == 0:
            clock.advance(own_limit.window_s)  # past the stranger's own per-caller limit
        answer = world.open_visit(shop, guess, by=stranger)
        assert (answer.status, answer.code) == (403, "forbidden")
    assert world.open_visit(shop, world.token(customer)["short_code"]).opened()


def test_self_scan_by_typed_code_is_refused_without_a_request(world, shop, staff):
    own = world.token(staff)
    answer = world.open_visit(shop, own["short_code"], by=staff)
    assert (answer.status, answer.code) == (403, "self_scan")
    status = call("GET", f"/qr-tokens/{own['token_id']}", user=staff).expect(200)
    assert status["status"] == "pending"


def test_a_request_of_another_business_is_not_found(world, shop, customer):
    asked = world.open_visit(shop, world.token(customer)["short_code"], answer=None).expect(202)
    other = world.business(world.owner("Oscar Other"), "Other Shop")
    for path in (
        f"{other.path}/visit-requests/{asked['request_id']}",
        f"{shop.path}/visit-requests/a_nope",
    ):
        answer = world.call("GET", path, other.owner)
        assert answer.status in (403, 404), path
    stranger = world.call("GET", f"{shop.path}/visit-requests/{asked['request_id']}", other.owner)
    assert (stranger.status, stranger.code) == (403, "forbidden")


def test_more_businesses_buy_no_more_guesses(world, customer):
    """One owner's businesses share one budget: registering shops does not multiply it."""
    owner = world.owner("Greedy Owner")
    per_business = limits.CODE_FAILURES_PER_BUSINESS.allowance
    per_caller = limits.CODE_FAILURES_PER_CALLER.allowance
    guess = _unused_code(world, customer)
    spent = 0
    shops = [world.business(owner, f"Shop {n}") for n in range(3)]
    for shop in shops:
        for _ in range(per_business // per_caller):
            till = world.staff(shop)
            for _ in range(per_caller):
                answer = world.open_visit(shop, guess, by=till)
                if answer.status == 429:
                    break
                spent += 1
    assert spent == limits.CODE_FAILURES_PER_OWNER.allowance
    assert answer.status == 429

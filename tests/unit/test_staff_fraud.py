"""Staff fraud (issue 12, attack 4): the owner's limits, the redemption window, disputes,
and earns for the business's own people flagged.

The attacks: a staff member awards 100,000.00 of purchase to a friend's account; a staff
member redeems an absent customer's whole balance in the ten minutes after the scan.
"""

from backend import clock, config
from tests.support.world import call

LIMITS = {"max_purchase_cents": 200_00, "daily_points": 500}


def _limited_shop(world):
    """Café Rosa whose owner allows staff purchases up to 200.00 and 500 points a day."""
    shop = world.business(world.owner(), staff_limits=LIMITS)
    world.staff(shop)
    world.reward(shop, "Free coffee", 100)
    return shop


def test_a_purchase_above_the_owners_limit_needs_the_owner(world, customer):
    shop = _limited_shop(world)
    visit = world.visit(shop, customer)
    refused = world.earn(visit, 100_000_00)
    assert (refused.status, refused.code) == (403, "needs_owner")
    assert "200.00 EUR" in refused.body["error"]["message"]
    assert world.earn(visit, 200_01).code == "needs_owner"
    assert world.balance(customer, shop) == 0
    # The owner awards it; the limit is the staff's, not the owner's.
    world.earn(visit, 100_000_00, by=shop.owner).expect(201)
    assert world.balance(customer, shop) == 100_000


def test_a_staff_member_awards_at_most_the_daily_cap(world, customer):
    shop = _limited_shop(world)
    friend = world.customer("Fred Friend")
    for _ in range(2):
        world.earn(world.visit(shop, friend), 200_00).expect(201)  # 400 points
    over = world.earn(world.visit(shop, friend), 200_00)
    assert (over.status, over.code) == (409, "staff_daily_cap")
    world.earn(world.visit(shop, friend), 100_00).expect(201)  # exactly 500
    assert world.earn(world.visit(shop, customer), 1_00).code == "staff_daily_cap"
    assert world.balance(friend, shop) == 500
    # Another staff member has their own cap; the owner has none; tomorrow is a new day.
    other = world.staff(shop)
    world.earn(world.visit(shop, customer, by=other), 100_00).expect(201)
    world.earn(world.visit(shop, customer, by=shop.owner), 10_000_00).expect(201)
    clock.advance(24 * 3600)
    world.earn(world.visit(shop, friend), 100_00).expect(201)


def test_giving_back_a_redemption_counts_towards_the_cap(world, customer):
    shop = _limited_shop(world)
    visit = world.visit(shop, customer, by=shop.owner)
    world.earn(visit, 1_000_00).expect(201)
    redeemed = world.redeem(visit, points=600).expect(201)
    staff_refund = world.reverse(shop, redeemed["transaction"]["tx_id"])
    assert (staff_refund.status, staff_refund.code) == (409, "staff_daily_cap")
    world.reverse(shop, redeemed["transaction"]["tx_id"], by=shop.owner).expect(201)


def test_the_owner_changes_the_limits_and_they_apply_at_once(world, customer):
    shop = _limited_shop(world)
    visit = world.visit(shop, customer)
    assert world.earn(visit, 300_00).code == "needs_owner"
    body = {"staff_limits": {"max_purchase_cents": 500_00, "daily_points": 1_000}}
    changed = call("PATCH", shop.path, user=shop.owner, body=body).expect(200)
    assert changed["staff_limits"] == body["staff_limits"]
    world.earn(visit, 300_00).expect(201)
    staff_only = call("PATCH", shop.path, user=shop.staff[0], body=body)
    assert (staff_only.status, staff_only.code) == (403, "owner_only")


def test_new_businesses_get_the_default_limits(world):
    created = call(
        "POST", "/merchants", user=world.owner(), body={"name": "Kiosk", "category": "other"}
    ).expect(201)
    assert created["staff_limits"] == {"max_purchase_cents": 50_000, "daily_points": 10_000}


def test_redemptions_close_three_minutes_after_the_scan(world, shop, customer):
    visit = world.visit(shop, customer)
    world.earn(visit, 500_00).expect(201)
    assert visit.answer["redeem_until"] < visit.answer["expires_at"]
    # (Some real seconds pass too, on a busy machine: stay well inside, then step past.)
    clock.advance(config.REDEEM_WINDOW_SECONDS - 30)
    world.redeem(visit, points=10).expect(201)
    clock.advance(30)
    late = world.redeem(visit, points=490)
    assert (late.status, late.code) == (410, "redemption_window_closed")
    assert world.balance(customer, shop) == 490
    # A new scan (the customer at the till again) opens a new window.
    world.redeem(world.visit(shop, customer), points=490).expect(201)


def test_the_customer_sees_a_redemption_and_disputes_it(world, shop, customer):
    token = world.token(customer)
    visit = world.visit(shop, code=token["token"])
    world.earn(visit, 300_00).expect(201)
    tx = world.redeem(visit, points=250).expect(201)["transaction"]
    seen = call("GET", f"/qr-tokens/{token['token_id']}", user=customer).expect(200)
    assert [(a["kind"], a["points"]) for a in seen["activity"]] == [("earn", 300), ("redeem", -250)]

    path = f"/transactions/{tx['tx_id']}/dispute"
    body = {"merchant_id": shop.merchant_id, "reason": "I was not there"}
    intruder = call("POST", path, user=world.customer("Ivy"), body=body)
    assert (intruder.status, intruder.code) == (404, "not_found")
    assert call("POST", path, user=shop.staff[0], body=body).code == "not_found"
    disputed = call("POST", path, user=customer, body=body).expect(200)
    assert (disputed["dispute_reason"], bool(disputed["disputed_at"])) == ("I was not there", True)
    again = call("POST", path, user=customer, body=body)
    assert (again.status, again.code) == (409, "already_disputed")
    # The owner sees it in the ledger and the figures, and can give the points back.
    ledger = call("GET", f"{shop.path}/transactions", user=shop.owner).expect(200)["items"]
    (entry,) = [e for e in ledger if e["tx_id"] == tx["tx_id"]]
    assert entry["dispute_reason"] == "I was not there"
    stats = call("GET", f"{shop.path}/stats", user=shop.owner, query={"days": "7"}).expect(200)
    assert stats["disputed"] == 1
    world.reverse(shop, tx["tx_id"], by=shop.owner).expect(201)
    assert world.balance(customer, shop) == 300


def test_earns_for_the_business_s_own_staff_are_flagged(world, shop, staff, customer):
    colleague = world.staff(shop)
    flagged = world.earn(world.visit(shop, colleague, by=staff), 40_00).expect(201)
    plain = world.earn(world.visit(shop, customer, by=staff), 10_00).expect(201)
    assert flagged["transaction"]["customer_is_staff"] is True
    assert plain["transaction"]["customer_is_staff"] is False
    # The owner's own customer account, served by staff, is flagged too.
    owners = world.earn(world.visit(shop, shop.owner, by=staff), 5_00).expect(201)
    assert owners["transaction"]["customer_is_staff"] is True
    stats = call("GET", f"{shop.path}/stats", user=shop.owner, query={"days": "7"}).expect(200)
    assert (stats["staff_customer_earns"], stats["staff_customer_points"]) == (2, 45)
    # A refund of a flagged earn is flagged and taken off the figure.
    world.reverse(shop, flagged["transaction"]["tx_id"], by=shop.owner).expect(201)
    stats = call("GET", f"{shop.path}/stats", user=shop.owner, query={"days": "7"}).expect(200)
    assert stats["staff_customer_points"] == 5
    history = call("GET", "/transactions", user=colleague).expect(200)["items"]
    assert all(e["customer_is_staff"] for e in history)


def test_a_receipt_code_is_its_issuers_award_within_the_owners_limits(world, customer):
    """Attack: a staff member closes sales "without a scan" and hands the receipts' codes to
    a friend, past the largest purchase or the daily cap they have at the till."""
    shop = _limited_shop(world)
    friend = world.customer("Fred Friend")
    too_big = call(
        "POST", f"{shop.path}/claim-codes", user=shop.till, body={"amount_cents": 200_01}
    )
    assert (too_big.status, too_big.code) == (403, "needs_owner")
    world.receipt_code(shop, 100_000_00, by=shop.owner)  # the owner is never limited
    codes = [world.receipt_code(shop, 200_00)["code"] for _ in range(3)]  # 200 points each
    world.earn(world.visit(shop, customer), 50_00).expect(201)  # the till's own 50 today
    for code in codes[:2]:
        world.claim(friend, code).expect(201)
    over = world.claim(friend, codes[2])
    assert (over.status, over.code) == (409, "claim_over_staff_limit")
    assert world.balance(friend, shop) == 400
    listed = call("GET", f"{shop.path}/claim-codes", user=shop.till).expect(200)["items"]
    assert sorted(c["status"] for c in listed) == ["claimed", "claimed", "open", "open"]
    # The claims count into the issuer's day, the same as the till's own awards (450 so far).
    visit = world.visit(shop, customer)
    assert world.earn(visit, 51_00).code == "staff_daily_cap"
    world.earn(visit, 50_00).expect(201)
    # Tomorrow is a new day for the issuer: the code (valid 7 days) is claimed then.
    clock.advance(24 * 3600)
    world.claim(friend, codes[2]).expect(201)
    assert world.balance(friend, shop) == 600


def test_a_code_from_staff_who_left_stays_under_the_staff_limits(world, customer):
    shop = _limited_shop(world)
    code = world.receipt_code(shop, 200_00)["code"]
    call("DELETE", f"{shop.path}/staff/{shop.till.user_id}", user=shop.owner).expect(204)
    # The owner lowers the largest purchase: the departed issuer's code is above it now.
    call(
        "PATCH",
        shop.path,
        user=shop.owner,
        body={"staff_limits": {"max_purchase_cents": 100_00, "daily_points": 500}},
    ).expect(200)
    refused = world.claim(customer, code)
    assert (refused.status, refused.code) == (409, "claim_over_staff_limit")
    call(
        "PATCH",
        shop.path,
        user=shop.owner,
        body={"staff_limits": {"max_purchase_cents": 200_00, "daily_points": 500}},
    ).expect(200)
    world.claim(customer, code).expect(201)
    assert world.balance(customer, shop) == 200

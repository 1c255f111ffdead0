"""Abuse (issue 12): each attack performed against the local cloud, with the production
limits, and shown to fail.

1. Guessing typed codes: an attacker registers a business and types 6-digit guesses.
2. One account blocking everyone: one caller hammers a route that everyone's My code uses.
4. Staff fraud: huge awards to a friend, draining an absent customer, earns for one's own.

The figures (guesses before the lockout, what the abuser and the neighbour got) go to
docs/proof.md, section "Threat model".
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from backend import config
from backend.logic import limits
from tests.proof.conftest import Figures, reconcile
from tests.support.local_cloud import RunningCloud
from tests.support.world import Business, Person, World

GENERIC_REFUSAL = "code_refused"


@pytest.fixture
def clock_reset(proof_api: httpx.Client) -> Iterator[httpx.Client]:
    """The local cloud's clock (POST /dev/clock), back to real time after the test."""
    yield proof_api
    proof_api.post("/dev/clock", json={"reset": True})


def _miss(world: World, victims: list[Person]) -> str:
    """Six digits no victim's live code holds (what nearly every guess is)."""
    live = {world.token(v)["short_code"] for v in victims}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in live)


def _failed_lookups(cloud: RunningCloud) -> int:
    """FailedCodeLookups counted in the function's metric lines (CloudWatch EMF)."""
    total = 0
    for line in cloud.stderr_lines:
        if '"FailedCodeLookups"' not in line or not line.lstrip().startswith("{"):
            continue
        value = json.loads(line).get("FailedCodeLookups", 0)
        total += int(sum(value) if isinstance(value, list) else value)
    return total


# ------------------------------------------------------------------ 1. guessing typed codes


def test_guessing_typed_codes_opens_nothing_and_locks_the_guesser_out(
    proof_cloud: RunningCloud, world: World, figures: Figures
) -> None:
    attacker, accomplice, victim = world.people(3, "Guess")
    lair = world.business(attacker, "Free Points Here")
    world.staff(lair, accomplice)
    metric_before = _failed_lookups(proof_cloud)

    # Misses: one answer each, whatever the reason, until the till is locked out.
    miss = _miss(world, [victim])
    answers = [world.open_visit(lair, miss, by=attacker) for _ in range(8)]
    allowance = limits.CODE_FAILURES_PER_CALLER.allowance
    refused, locked = answers[:allowance], answers[allowance:]
    assert {(a.status, a.code, a.text) for a in refused} == {
        (400, GENERIC_REFUSAL, refused[0].text)
    }
    assert all((a.status, a.code) == (429, "too_many_requests") for a in locked), locked
    retry_after = int(locked[0].headers["retry-after"])
    assert 0 < retry_after <= limits.CODE_FAILURES_PER_CALLER.window_s

    # A lucky hit, by the accomplice's till: the victim's real code. It opens nothing and
    # tells the till nothing about whose code it was.
    code = world.token(victim)
    asked = world.open_visit(lair, code["short_code"], by=accomplice, answer=None)
    assert asked.status == 202, asked.text
    for secret in (victim.user_id, victim.name, victim.email):
        assert secret not in asked.text
    # The victim's phone shows who asks, as data (the app renders it as text).
    prompt = world.call("GET", f"/qr-tokens/{code['token_id']}", victim).expect(200)
    assert prompt["status"] == "awaiting_approval"
    assert prompt["pending_approval"]["merchant"]["name"] == "Free Points Here"
    # "Not me": the till hears exactly what a miss hears; no visit, no wallet entry.
    world.approve(victim, code["token_id"], allow=False).expect(200)
    outcome = world.visit_request(lair, asked.body["request_id"], by=accomplice)
    assert (outcome.status, outcome.text) == (400, refused[0].text)
    assert world.call("GET", "/wallet", victim).expect(200)["memberships"] == []
    ledger = world.call("GET", f"{lair.path}/transactions", attacker).expect(200)["items"]
    assert ledger == []

    # More tills do not buy more guesses: the business is locked out as a whole.
    guesses = allowance + 1  # the attacker's misses, and the declined hit
    while True:
        till = world.staff(lair)
        for _ in range(allowance):
            answer = world.open_visit(lair, miss, by=till)
            if answer.status == 429:
                break
            assert answer.code == GENERIC_REFUSAL
            guesses += 1
        if answer.status == 429:
            break
    assert guesses == limits.CODE_FAILURES_PER_BUSINESS.allowance
    assert _failed_lookups(proof_cloud) - metric_before == guesses
    figures.record("typed_code_guesses_before_lockout_per_till", allowance)
    figures.record("typed_code_guesses_before_lockout_per_business", guesses)


def test_an_honest_typed_code_still_works_in_one_tap_on_each_side(world: World) -> None:
    owner, customer = world.people(2, "Honest")
    shop = world.business(owner, "Honest Bakery")
    code = world.token(customer)
    visit = world.open_visit(shop, code["short_code"]).opened()  # the customer taps Allow
    assert visit["customer"]["display_name"] == customer.name


# ------------------------------------------------------------------ 2. one account blocking all


def test_one_caller_hammering_a_route_is_refused_while_its_neighbour_is_served(
    proof_cloud: RunningCloud, world: World, figures: Figures
) -> None:
    abuser, neighbour = world.people(2, "Noisy")
    abuser_token = world.token(abuser)["token_id"]
    neighbour_token = world.token(neighbour)["token_id"]
    allowance = limits.PER_CALLER["token_status"].allowance
    stop = threading.Event()
    neighbour_statuses: list[int] = []

    def neighbour_polls() -> None:
        # My code's loop: the token's status, about once a second (here faster).
        with httpx.Client(base_url=proof_cloud.api_url, timeout=60) as client:
            while not stop.is_set():
                answer = client.get(f"/qr-tokens/{neighbour_token}", headers=neighbour.auth)
                neighbour_statuses.append(answer.status_code)
                stop.wait(0.2)

    def hammer(_: int) -> httpx.Response:
        with httpx.Client(base_url=proof_cloud.api_url, timeout=60) as client:
            return client.get(f"/qr-tokens/{abuser_token}", headers=abuser.auth)

    poller = threading.Thread(target=neighbour_polls)
    poller.start()
    try:
        # Windows are fixed in real time, so a run that straddles a boundary meets two
        # allowances: past twice the allowance the abuser is refused either way.
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(hammer, range(2 * allowance + 30)))
    finally:
        stop.set()
        poller.join()
    served = [a for a in answers if a.status_code == 200]
    throttled = [a for a in answers if a.status_code == 429]
    assert len(served) + len(throttled) == len(answers)
    assert allowance <= len(served) <= 2 * allowance
    assert len(throttled) >= 30 and all(
        a.json()["error"]["code"] == "too_many_requests" and int(a.headers["retry-after"]) > 0
        for a in throttled
    )
    assert neighbour_statuses and set(neighbour_statuses) == {200}
    figures.record("abuser_served", len(served))
    figures.record("abuser_refused_429", len(throttled))
    figures.record("neighbour_served", f"{len(neighbour_statuses)}/{len(neighbour_statuses)}")


# ------------------------------------------------------------------ 4. staff fraud


@pytest.fixture
def rogue(world: World) -> tuple[Business, Person, Person]:
    """A business with the default staff limits, its rogue cashier, and the cashier's friend."""
    owner, cashier, friend = world.people(3, "Rogue")
    shop = world.business(owner, "Corner Café")
    world.staff(shop, cashier)
    world.reward(shop, "Cake", 50)
    return shop, cashier, friend


def test_a_staff_member_cannot_award_a_fortune_to_a_friend(
    world: World, rogue: tuple[Business, Person, Person]
) -> None:
    shop, cashier, friend = rogue
    limit = world.call("GET", shop.path, cashier).expect(200)["staff_limits"]
    assert limit["max_purchase_cents"] < 100_000_00
    fortune = world.earn(world.visit(shop, friend, by=cashier), 100_000_00)
    assert (fortune.status, fortune.code) == (403, "needs_owner")
    # Below the purchase limit, many times: the owner's daily cap stops it (a cap of 2,000
    # points here, so that a handful of visits reach it within the till's visit limit).
    limit = dict(limit, daily_points=2_000)
    world.call("PATCH", shop.path, shop.owner, body={"staff_limits": limit}).expect(200)
    awarded = 0
    while True:
        answer = world.earn(world.visit(shop, friend, by=cashier), limit["max_purchase_cents"])
        if answer.status != 201:
            break
        awarded += answer.body["transaction"]["points"]
    assert (answer.status, answer.code) == (409, "staff_daily_cap")
    assert awarded <= limit["daily_points"]
    assert world.balance(friend, shop) == awarded


def test_an_absent_customers_balance_cannot_be_drained_after_the_scan(
    world: World, rogue: tuple[Business, Person, Person], clock_reset: httpx.Client
) -> None:
    shop, cashier, customer = rogue
    token = world.token(customer)
    visit = world.visit(shop, code=token["token"], by=cashier)
    world.earn(visit, 150_00).expect(201)
    # The customer leaves; the cashier waits for the redemption window to close.
    moved = clock_reset.post("/dev/clock", json={"advance_s": config.REDEEM_WINDOW_SECONDS + 1})
    assert moved.status_code == 200
    drained = world.redeem(visit, by=cashier, points=150)
    assert (drained.status, drained.code) == (410, "redemption_window_closed")
    assert world.balance(customer, shop) == 150


def test_a_redemption_is_seen_by_the_customer_and_disputed_to_the_owner(
    world: World, rogue: tuple[Business, Person, Person]
) -> None:
    shop, cashier, customer = rogue
    token = world.token(customer)
    visit = world.visit(shop, code=token["token"], by=cashier)
    world.earn(visit, 100_00).expect(201)
    tx = world.redeem(visit, by=cashier, points=100).expect(201)["transaction"]
    # My code shows it within the visit; History has it.
    seen = world.call("GET", f"/qr-tokens/{token['token_id']}", customer).expect(200)
    assert ("redeem", -100) in [(a["kind"], a["points"]) for a in seen["activity"]]
    body = {"merchant_id": shop.merchant_id, "reason": "I did not redeem this"}
    world.call("POST", f"/transactions/{tx['tx_id']}/dispute", customer, body=body).expect(200)
    ledger = world.call("GET", f"{shop.path}/transactions", shop.owner).expect(200)["items"]
    (entry,) = [e for e in ledger if e["tx_id"] == tx["tx_id"]]
    assert (entry["dispute_reason"], entry["staff_id"]) == (body["reason"], cashier.user_id)
    stats = world.call("GET", f"{shop.path}/stats", shop.owner, query={"days": 7}).expect(200)
    assert stats["disputed"] == 1
    world.reverse(shop, tx["tx_id"], by=shop.owner).expect(201)
    assert world.balance(customer, shop) == 100


def test_earns_for_the_business_s_own_staff_are_flagged_for_the_owner(
    world: World, rogue: tuple[Business, Person, Person], proof_cloud: RunningCloud
) -> None:
    shop, cashier, friend = rogue
    world.staff(shop, friend)  # the friend works here too
    earned = world.earn(world.visit(shop, friend, by=cashier), 80_00).expect(201)
    assert earned["transaction"]["customer_is_staff"] is True
    stats = world.call("GET", f"{shop.path}/stats", shop.owner, query={"days": 7}).expect(200)
    assert (stats["staff_customer_earns"], stats["staff_customer_points"]) == (1, 80)
    found, output = reconcile(proof_cloud.api_url)
    assert found == 0, output

"""Tills at once against one customer: exactly what the balance and the cards allow goes through.

The gateway throttles each route (template.yaml; the redeem route bursts to 30), so a till it
turns away with 429 sends the same request again, as a client does (`_at_once`); the tests
check that more tills than the balance allows still reached the API at the same moment.
"""

from __future__ import annotations

import threading
import time

import httpx

from tests.proof.conftest import Figures, reconcile
from tests.support.local_cloud import RunningCloud
from tests.support.world import World, idempotency_key

TILLS, POINTS, BALANCE = 50, 10, 100


def test_fifty_concurrent_redemptions_of_a_hundred_points(
    proof_cloud: RunningCloud, world: World, figures: Figures
) -> None:
    owner, customer = world.people(2, "Race")
    visit = world.visit(world.business(owner), customer)
    assert world.earn(visit, BALANCE * 100).expect(201)["balance"] == BALANCE

    keys = [idempotency_key() for _ in range(TILLS)]

    def redeem(client: httpx.Client, i: int) -> httpx.Response:
        return client.post(
            f"{proof_cloud.api_url}{visit.path}/redeem",
            json={"points": POINTS},
            headers={**owner.auth, "idempotency-key": keys[i]},
        )

    answers, first_wave = _at_once(TILLS, redeem)
    raced = len(first_wave) - first_wave.count(429)
    assert raced > BALANCE // POINTS, f"only {raced} tills reached the API at once"
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 10 + [409] * 40, [(a.status_code, a.text[:150]) for a in answers]
    assert {a.json()["error"]["code"] for a in answers if a.status_code == 409} == {
        "insufficient_points"
    }
    # Each success saw a different balance on its way down: 90, 80, ..., 0.
    assert sorted(a.json()["balance"] for a in answers if a.status_code == 201) == list(
        range(0, BALANCE, POINTS)
    )
    wallet = world.call("GET", "/wallet", customer).expect(200)["memberships"]
    assert [m["balance"] for m in wallet] == [0]
    history = world.call("GET", "/transactions", customer, query={"limit": 100}).expect(200)[
        "items"
    ]
    assert sum(item["points"] for item in history) == 0
    assert min(item["balance_after"] for item in history) == 0
    found, output = reconcile(proof_cloud.api_url)
    assert found == 0, output
    figures.record("concurrency_redemptions_succeeded", statuses.count(201))
    figures.record("concurrency_redemptions_409", statuses.count(409))
    figures.record("concurrency_redemptions_first_wave", raced)


def _at_once(count: int, send) -> tuple[list[httpx.Response], list[int]]:
    """`send(client, i)` from `count` threads released together, each on its own connection.

    Returns the final answers and the statuses of the first wave: a till the gateway
    throttled (429: the function never ran) sends the same request again, as a client does.
    """
    start = threading.Barrier(count)
    answers: list[httpx.Response] = []
    first_wave: list[int] = []
    lock = threading.Lock()

    def till(i: int) -> None:
        with httpx.Client(base_url="", timeout=120) as client:
            start.wait()
            answer = send(client, i)
            with lock:
                first_wave.append(answer.status_code)
            while answer.status_code == 429:
                time.sleep(0.2)
                answer = send(client, i)
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=till, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, first_wave


def test_ten_tills_giving_two_full_cards_give_two_rewards(
    proof_cloud: RunningCloud, world: World, figures: Figures
) -> None:
    """Attack: one customer's full cards claimed at ten tills at once."""
    owner, customer = world.people(2, "Stamp race")
    shop = world.business(owner)
    world.stamp_card(shop, stamps_needed=2)
    for _ in range(4):  # two full cards
        world.earn(world.visit(shop, customer), 3_00).expect(201)
    visit = world.visit(shop, customer)

    keys = [idempotency_key() for _ in range(10)]

    def give(client: httpx.Client, i: int) -> httpx.Response:
        return client.post(
            f"{proof_cloud.api_url}{visit.path}/redeem",
            json={"stamp_card": True},
            headers={**owner.auth, "idempotency-key": keys[i]},
        )

    answers, _ = _at_once(10, give)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 2 + [409] * 8, [(a.status_code, a.text[:150]) for a in answers]
    assert {a.json()["error"]["code"] for a in answers if a.status_code == 409} == {
        "stamp_card_not_full"
    }
    assert sorted(a.json()["stamps"] for a in answers if a.status_code == 201) == [0, 2]
    wallet = world.call("GET", "/wallet", customer).expect(200)["memberships"]
    assert [m["stamps"] for m in wallet] == [0]
    found, output = reconcile(proof_cloud.api_url)
    assert found == 0, output
    figures.record("concurrency_stamp_cards_given", statuses.count(201))


def test_five_first_visits_at_once_get_one_welcome_bonus(
    proof_cloud: RunningCloud, world: World, figures: Figures
) -> None:
    """Attack: a new customer shows five codes at five tills at once to be welcomed five times."""
    owner, customer = world.people(2, "Welcome race")
    shop = world.business(owner)
    world.promotion(shop, "Welcome", kind="welcome", bonus_points=50)
    visits = [world.visit(shop, customer) for _ in range(5)]
    assert all(v.answer["first_visit"] for v in visits)

    keys = [idempotency_key() for _ in visits]

    def earn(client: httpx.Client, i: int) -> httpx.Response:
        return client.post(
            f"{proof_cloud.api_url}{visits[i].path}/earn",
            json={"amount_cents": 10_00},
            headers={**owner.auth, "idempotency-key": keys[i]},
        )

    answers, _ = _at_once(5, earn)
    assert [a.status_code for a in answers] == [201] * 5, [a.text[:150] for a in answers]
    points = sorted(a.json()["transaction"]["points"] for a in answers)
    assert points == [10, 10, 10, 10, 60]
    wallet = world.call("GET", "/wallet", customer).expect(200)["memberships"]
    assert [m["balance"] for m in wallet] == [100]
    found, output = reconcile(proof_cloud.api_url)
    assert found == 0, output
    figures.record("concurrency_welcome_bonuses", points.count(60))

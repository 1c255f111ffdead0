"""50 tills redeem at once against one balance: exactly the affordable number succeed."""

from __future__ import annotations

import threading

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

    start = threading.Barrier(TILLS)
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def till() -> None:
        # One client per thread: 50 separate connections reach the gateway together.
        with httpx.Client(base_url=proof_cloud.api_url, timeout=120) as client:
            start.wait()
            answer = client.post(
                f"{visit.path}/redeem",
                json={"points": POINTS},
                headers={**owner.auth, "idempotency-key": idempotency_key()},
            )
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=till) for _ in range(TILLS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

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

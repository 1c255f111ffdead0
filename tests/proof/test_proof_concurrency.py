"""50 tills redeem at once against one balance: exactly the affordable number succeed."""

from __future__ import annotations

import threading

import httpx

from tests.proof import world
from tests.proof.conftest import Figures
from tests.support.local_cloud import RunningCloud

TILLS, POINTS, BALANCE = 50, 10, 100


def test_fifty_concurrent_redemptions_of_a_hundred_points(
    proof_cloud: RunningCloud, proof_api: httpx.Client, figures: Figures
) -> None:
    owner, customer = world.people(proof_cloud.info, 2, "Race")
    merchant_id = world.business(proof_api, owner)
    visit_id = world.visit(proof_api, owner, merchant_id, customer)
    assert world.earn(proof_api, owner, merchant_id, visit_id, BALANCE * 100) == BALANCE

    start = threading.Barrier(TILLS)
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def till() -> None:
        # One client per thread: 50 separate connections reach the gateway together.
        with httpx.Client(base_url=proof_cloud.api_url, timeout=120) as client:
            start.wait()
            answer = client.post(
                f"/merchants/{merchant_id}/visits/{visit_id}/redeem",
                json={"points": POINTS},
                headers={**owner.auth, "idempotency-key": world.key()},
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
    wallet = world.ok(proof_api.get("/wallet", headers=customer.auth))["memberships"]
    assert [m["balance"] for m in wallet] == [0]
    history = world.ok(
        proof_api.get("/transactions", params={"limit": 100}, headers=customer.auth)
    )["items"]
    assert sum(item["points"] for item in history) == 0
    assert min(item["balance_after"] for item in history) == 0
    found, output = world.reconcile(proof_cloud.api_url)
    assert found == 0, output
    figures.record("concurrency_redemptions_succeeded", statuses.count(201))
    figures.record("concurrency_redemptions_409", statuses.count(409))

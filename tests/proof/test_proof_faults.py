"""Faults: DynamoDB throttling and transient errors, and a kill -9, lose or double no point.

The local cloud's fault layer (`--faults`, localcloud/faults.py) fails a share of the
balance transactions of earn, redeem and reverse: before the write (throttled, 500, a
throttled transaction) or after it (the write happened but the caller saw an error), and
cancels a share of every other transaction as a conflict with another writer. The
clients here retry 5xx with the same Idempotency-Key, as the UI does; at the end every
balance must equal what the successful answers add up to, and the ledger must reconcile.
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.proof.conftest import LOAD_TEST_FLAGS, Figures, reconcile, scale
from tests.support.local_cloud import RunningCloud, running_cloud, start_cloud
from tests.support.world import TRUSTING_STAFF_LIMITS, Business, OverHttp, Person, World

CUSTOMERS = scale(6, 24)
ROUNDS = scale(5, 10)  # per customer: an earn, sometimes a redemption, sometimes a reversal
FAULT_RATE = 0.3
SAVE_INTERVAL_S = 5


@pytest.fixture(scope="module")
def faulty_cloud(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A local cloud that fails 30% of balance transactions on purpose."""
    flags = ("--no-persist", "--faults", str(FAULT_RATE), "--faults-seed", "7", *LOAD_TEST_FLAGS)
    with running_cloud(tmp_path_factory.mktemp("faulty-cloud"), *flags) as running:
        yield running


def _customer_session(
    cloud: RunningCloud, staff: Person, shop: Business, customer: Person, seed: int
) -> dict[str, Any]:
    """One customer's visits under faults; returns what the successful answers add up to."""
    rng = random.Random(seed)
    expected, operations = 0, 0
    with World(OverHttp(cloud.info, timeout=60), patient=True) as world:
        for _ in range(ROUNDS):
            visit = world.visit(shop, customer, by=staff)
            body = world.earn(visit, rng.randint(100, 5000)).expect(201)
            expected += body["transaction"]["points"]
            assert body["balance"] == expected
            operations += 1
            if expected >= 10 and rng.random() < 0.6:
                body = world.redeem(visit, points=rng.randint(1, expected)).expect(201)
                expected += body["transaction"]["points"]
                assert body["balance"] == expected
                operations += 1
            if rng.random() < 0.4:
                # Refund the last transaction (an earn or a redemption) of this visit.
                tx_id = body["transaction"]["tx_id"]
                body = world.reverse(shop, tx_id, by=staff, reason=None).expect(201)
                expected += body["transaction"]["points"]
                assert body["balance"] == expected
                operations += 1
        retries = world.retries
    return {"expected": expected, "operations": operations, "client_retries": retries}


def test_faults_neither_lose_nor_double_a_point(
    faulty_cloud: RunningCloud, figures: Figures
) -> None:
    with World(OverHttp(faulty_cloud.info, timeout=60), patient=True) as world:
        owner, cashier, *customers = world.people(2 + CUSTOMERS, "Fault")
        shop = world.business(owner, staff_limits=TRUSTING_STAFF_LIMITS)
        world.staff(shop, cashier)

    results: dict[str, dict[str, Any]] = {}
    failures: list[BaseException] = []

    def run(index: int, customer: Person) -> None:
        try:
            staff = owner if index % 2 else cashier
            results[customer.user_id] = _customer_session(
                faulty_cloud, staff, shop, customer, seed=index
            )
        except BaseException as error:  # reported below, with the others
            failures.append(error)

    threads = [threading.Thread(target=run, args=item) for item in enumerate(customers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, (failures, faulty_cloud.failures())

    lost_or_doubled = 0
    with World(OverHttp(faulty_cloud.info, timeout=60)) as world:
        for customer in customers:
            wanted = results[customer.user_id]
            wallet = world.call("GET", "/wallet", customer).expect(200)["memberships"]
            balance = wallet[0]["balance"] if wallet else 0
            history = world.call("GET", "/transactions", customer, query={"limit": 100}).expect(
                200
            )["items"]
            lost_or_doubled += abs(balance - wanted["expected"])
            # One ledger entry per successful answer: a doubled retry would add one more.
            assert len(history) == wanted["operations"], (customer.name, history)
            assert sum(item["points"] for item in history) == balance

    faults = faulty_cloud.faults()
    found, output = reconcile(faulty_cloud.api_url)
    figures.record("faults_injected", sum(faults.values()))
    figures.record("faults_by_kind", faults)
    figures.record("fault_operations", sum(r["operations"] for r in results.values()))
    figures.record("fault_client_retries", sum(r["client_retries"] for r in results.values()))
    figures.record("points_lost_or_doubled", lost_or_doubled)
    assert lost_or_doubled == 0
    assert found == 0, output
    # The dangerous kinds (written, then an error) must really have happened.
    assert faults.get("lost_after_write", 0) > 0, faults
    assert faults.get("internal_error_after_write", 0) > 0, faults
    assert faults.get("tx_throttled", 0) > 0, faults
    # The transactions around the balances (sign-ups, visits, counters) met conflicts too.
    assert faults.get("tx_conflict", 0) > 0, faults


def test_kill_dash_nine_mid_load_reloads_a_state_that_reconciles(
    tmp_path: Path, figures: Figures
) -> None:
    """SIGKILL while tills are earning; restart on the same data dir: state loads and adds up."""
    data_dir = tmp_path / "data"
    # Snapshots every 5 s (default 15): the kill lands after several, wherever it falls.
    first = start_cloud(data_dir, "--save-interval", str(SAVE_INTERVAL_S), *LOAD_TEST_FLAGS)
    stop = threading.Event()
    acknowledged = [0]
    try:
        with World(OverHttp(first.info, timeout=60)) as world:
            owner, *customers = world.people(4, "Crash")
            shop = world.business(owner)

        def till(customer: Person) -> None:
            with World(OverHttp(first.info, timeout=10), patient=True) as world:
                while not stop.is_set():
                    try:
                        world.earn(world.visit(shop, customer), 1000).expect(201)
                        acknowledged[0] += 1
                    except (httpx.TransportError, AssertionError):
                        return  # the cloud is gone

        threads = [threading.Thread(target=till, args=(c,)) for c in customers]
        for thread in threads:
            thread.start()
        time.sleep(scale(4, 8) * SAVE_INTERVAL_S)
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        stop.set()
        if first.process.poll() is None:  # the test failed before the kill
            first.process.kill()
            first.process.wait(timeout=10)
    assert acknowledged[0] > 0

    second = start_cloud(data_dir, "--save-interval", str(SAVE_INTERVAL_S), *LOAD_TEST_FLAGS)
    try:
        found, output = reconcile(second.api_url)
        assert found == 0, output
        entries = int(output.split("ledger_entries_checked: ")[1].split()[0])
        # Whole transactions up to the last snapshot: some, and never more than were written
        # (acknowledged, plus at most one in flight per till when the kill came).
        assert 0 < entries <= acknowledged[0] + len(customers)
        # Users reload too: they sign in again (SRP), and the reloaded cloud keeps working.
        with World(OverHttp(second.info, timeout=60)) as world:
            customer = world.sign_in(customers[0])
            cashier = world.sign_in(owner)
            wallet = world.call("GET", "/wallet", customer).expect(200)["memberships"]
            assert [m["merchant_id"] for m in wallet] == [shop.merchant_id]
            before = wallet[0]["balance"]
            visit = world.visit(shop, customer, by=cashier)
            after = world.earn(visit, 500).expect(201)["balance"]
            assert after > before  # tiers scale it
        figures.record("crash_acknowledged_earns", acknowledged[0])
        figures.record("crash_reloaded_ledger_entries", entries)
        figures.record("crash_reconcile_discrepancies", found)
    finally:
        second.stop()

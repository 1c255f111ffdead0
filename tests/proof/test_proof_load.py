"""Load: locust drives tills and customers through the local gateway; then every balance reconciles.

Users sign up before the run (Cognito, the emailed code, SRP), so the measured run is the API.
The per-route figures (requests/s, p50/p95/p99) are recorded for bench/proof.py.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.proof.conftest import LOAD_TEST_FLAGS, Figures, reconcile, scale
from tests.support.local_cloud import REPO, RunningCloud
from tests.support.world import TRUSTING_STAFF_LIMITS, World

CLOUD_FLAGS = LOAD_TEST_FLAGS
MERCHANTS = scale(3, 8)
CUSTOMERS = scale(12, 48)
TILLS = scale(6, 16)
RUN_TIME = scale("45s", "120s")
REWARD_COST = 40
STAMPS_NEEDED = 3


def _locust(api_url: str, users_file: Path, csv_prefix: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, EPOINT_LOAD_USERS=str(users_file), EPOINT_LOAD_TILLS=str(TILLS))
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(REPO / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(TILLS),
            "--spawn-rate",
            str(TILLS),
            "--run-time",
            RUN_TIME,
            "--host",
            api_url,
            "--csv",
            str(csv_prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_load_has_no_errors_and_every_balance_reconciles(
    proof_cloud: RunningCloud, world: World, tmp_path: Path, figures: Figures
) -> None:
    owners = world.people(MERCHANTS, "Owner")
    cashiers = world.people(MERCHANTS, "Cashier")
    customers = world.people(CUSTOMERS, "Shopper")
    merchants = []
    for index, (owner, cashier) in enumerate(zip(owners, cashiers, strict=True)):
        shop = world.business(owner, f"Load Shop {index + 1}", staff_limits=TRUSTING_STAFF_LIMITS)
        world.staff(shop, cashier)
        reward = world.reward(shop, cost=REWARD_COST)
        # Stamps and promotions in the mix: every purchase a stamp, a full card often given,
        # a welcome bonus on each customer's first visit, double points in the morning and
        # +10 in the afternoon (UTC), overlapping the welcome.
        world.stamp_card(shop, stamps_needed=STAMPS_NEEDED)
        world.promotion(shop, "Welcome", kind="welcome", bonus_points=20)
        world.promotion(shop, "Morning double", from_time="00:00", until_time="12:00")
        world.promotion(
            shop,
            "Afternoon bonus",
            kind="bonus",
            bonus_points=10,
            from_time="12:00",
            until_time="24:00",
        )
        merchants.append(
            {
                "merchant_id": shop.merchant_id,
                "reward_id": reward.reward_id,
                "reward_cost": REWARD_COST,
                "stamps_needed": STAMPS_NEEDED,
                "staff": cashier.to_json(),
                "owner": owner.to_json(),
            }
        )
    users_file = tmp_path / "users.json"
    users_file.write_text(
        json.dumps({"merchants": merchants, "customers": [c.to_json() for c in customers]})
    )

    locust = _locust(proof_cloud.api_url, users_file, tmp_path / "load")
    try:
        # The reconciliation is safe on a live table: halfway through, it must find nothing.
        time.sleep(int(RUN_TIME.rstrip("s")) / 2)
        found_live, output_live = reconcile(proof_cloud.api_url)
        _, stderr = locust.communicate(timeout=900)
    finally:
        if locust.poll() is None:
            locust.kill()
            locust.wait(timeout=30)
    assert locust.returncode in (0, 1), stderr[-3000:]
    with open(tmp_path / "load_stats.csv", encoding="utf-8") as stats_file:
        rows = list(csv.DictReader(stats_file))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    routes = [r for r in rows if r["Name"] != "Aggregated"]

    figures.record("load_run_time", RUN_TIME)
    figures.record("load_tills", TILLS)
    figures.record("load_requests", int(total["Request Count"]))
    figures.record("load_rps", round(float(total["Requests/s"]), 1))
    figures.record("load_errors", int(total["Failure Count"]))
    for row in sorted(routes, key=lambda r: r["Name"]):
        name = row["Name"]
        figures.record(f"load_requests[{name}]", int(row["Request Count"]))
        for pct in ("50", "95", "99"):
            figures.record(f"load_p{pct}_ms[{name}]", float(row[f"{pct}%"]))

    failures = (tmp_path / "load_failures.csv").read_text()
    assert int(total["Failure Count"]) == 0, failures
    assert locust.returncode == 0, stderr[-3000:]
    figures.record("reconcile_during_load_discrepancies", found_live)
    figures.record(
        "reconcile_during_load_rechecked",
        int(output_live.split("memberships_rechecked: ")[1].split()[0]),
    )
    assert found_live == 0, output_live
    # Every route of the mix was exercised.
    assert {r["Name"] for r in routes} >= {
        "POST /qr-tokens",
        "POST /merchants/{merchant_id}/visits",
        "POST /merchants/{merchant_id}/visits/{visit_id}/earn",
        "POST /merchants/{merchant_id}/visits/{visit_id}/redeem",
        "POST /merchants/{merchant_id}/transactions/{tx_id}/reverse",
        "GET /wallet",
        "GET /transactions",
        "POST /merchants/{merchant_id}/claim-codes",
        "POST /claims",
        "POST /merchants/{merchant_id}/members/{customer_id}/adjustments",
        "GET /merchants/{merchant_id}/exports/ledger",
    }, [r["Name"] for r in routes]

    found, output = reconcile(proof_cloud.api_url)
    figures.record("reconcile_discrepancies", found)

    def counted(name: str) -> int:
        return int(output.split(f"{name}: ")[1].split()[0])

    figures.record("reconcile_ledger_entries", counted("ledger_entries_checked"))
    figures.record("reconcile_stamp_redemptions", counted("stamp_redemptions_checked"))
    figures.record("reconcile_promotion_entries", counted("promotion_entries_checked"))
    figures.record("reconcile_claims", counted("claims_checked"))
    figures.record("reconcile_adjustments", counted("adjustments_checked"))
    assert found == 0, output
    assert counted("claims_checked") > 0 and counted("adjustments_checked") > 0, output
    # The new kinds were in the mix: cards given, promotions applied (welcome and windows).
    assert counted("stamp_redemptions_checked") > 0, output
    assert counted("promotion_entries_checked") > 0, output

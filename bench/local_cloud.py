"""Earn throughput through the local gateway, small vs large ledger, ours vs moto's stock rollback.

    python bench/local_cloud.py [--earns 30] [--stock-earns-large 8]

Starts `python -m localcloud` twice (item-level rollback, then `--stock-transactions`),
each time: signs up an owner and a customer (pycognito, SRP), registers a business, fills
the table with ledger entries straight through BatchWriteItem (fast), and times
`POST /merchants/{id}/visits/{visit_id}/earn` over HTTP (each earn needs a fresh QR token
and visit; only the earn call is timed, and the median call gives the rate). Prints:

    earn_per_s_small: X        # table holding a ledger of 100 entries
    earn_per_s_large: Y        # 10,000 entries
    earn_flatness: Y/X         # target >= 0.8
    stock_earn_per_s_small / stock_earn_per_s_large / stock_earn_flatness
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from pycognito import Cognito

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.local_cloud import (  # noqa: E402
    aws_client,
    bearer,
    gateway_client,
    running_cloud,
    signed_up_user,
)

SMALL, LARGE = 100, 10_000


def fill_ledger(info: dict[str, Any], merchant_id: str, customer_id: str, total: int) -> None:
    """Grow the table to `total` ledger entries with BatchWriteItem (no transactions: fast)."""
    dynamodb = aws_client(info, "dynamodb")
    table = info["table_name"]
    existing = dynamodb.describe_table(TableName=table)["Table"].get("ItemCount", 0)
    start = int(existing)
    batch: list[dict[str, Any]] = []
    for i in range(start, total):
        sort = f"TX#t_bench_{i:06d}"
        item = {
            "pk": {"S": f"MERCHANT#{merchant_id}"},
            "sk": {"S": sort},
            "gsi1pk": {"S": f"CUSTOMER#{customer_id}"},
            "gsi1sk": {"S": sort},
            "gsi2pk": {"S": f"CUSTOMER#{customer_id}#{merchant_id}"},
            "gsi2sk": {"S": sort},
            "kind": {"S": "earn"},
            "points": {"N": "1"},
        }
        batch.append({"PutRequest": {"Item": item}})
        if len(batch) == 25:
            dynamodb.batch_write_item(RequestItems={table: batch})
            batch = []
    if batch:
        dynamodb.batch_write_item(RequestItems={table: batch})


def post(api: httpx.Client, url: str, **kwargs: Any) -> tuple[httpx.Response, float]:
    """POST, waiting out the gateway's throttle (429) like a client would; returns the answer
    and the duration of the attempt that got through (throttled attempts are not timed)."""
    while True:
        started = time.perf_counter()
        answer = api.post(url, **kwargs)
        elapsed = time.perf_counter() - started
        if answer.status_code != 429:
            return answer, elapsed
        time.sleep(0.2)


def earns_per_second(
    api: httpx.Client, owner: Cognito, customer: Cognito, merchant_id: str, count: int
) -> float:
    """Earns per second, from the median of `count` timed earn calls (each after a fresh QR
    token and visit); the median keeps a busy neighbour on a shared machine from skewing it."""
    owner_auth, customer_auth = bearer(owner.access_token), bearer(customer.access_token)
    durations: list[float] = []
    for _ in range(count):
        token = post(api, "/qr-tokens", headers=customer_auth)[0].json()["token"]
        visit = post(
            api, f"/merchants/{merchant_id}/visits", json={"token": token}, headers=owner_auth
        )[0].json()
        answer, elapsed = post(
            api,
            f"/merchants/{merchant_id}/visits/{visit['visit_id']}/earn",
            json={"amount_cents": 1000},
            headers={**owner_auth, "idempotency-key": uuid.uuid4().hex},
        )
        durations.append(elapsed)
        if answer.status_code != 201:
            raise SystemExit(f"earn failed: {answer.status_code} {answer.text}")
    return 1 / statistics.median(durations)


def measure(stock: bool, earns: int, earns_large: int) -> tuple[float, float]:
    """(earns/s with a 100-entry ledger, earns/s with a 10,000-entry ledger) for one cloud."""
    flags = ["--no-persist", *(["--stock-transactions"] if stock else [])]
    with (
        tempfile.TemporaryDirectory(prefix="epoint-bench-") as data_dir,
        running_cloud(Path(data_dir), *flags) as cloud,
        gateway_client(cloud, timeout=120) as api,
    ):
        info = cloud.info
        owner = signed_up_user(info, "Bench Owner")
        customer = signed_up_user(info, "Bench Customer")
        created = api.post(
            "/merchants",
            json={"name": "Bench Café", "category": "cafe"},
            headers=bearer(owner.access_token),
        )
        merchant_id = created.json()["merchant_id"]
        customer_id = customer.access_claims["sub"]
        fill_ledger(info, merchant_id, customer_id, SMALL)
        earns_per_second(api, owner, customer, merchant_id, 3)  # warm-up: imports, caches
        small = earns_per_second(api, owner, customer, merchant_id, earns)
        fill_ledger(info, merchant_id, customer_id, LARGE)
        large = earns_per_second(api, owner, customer, merchant_id, earns_large)
    return small, large


def main() -> None:
    """Run both measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--earns", type=int, default=30, help="timed earns per measurement")
    parser.add_argument(
        "--stock-earns-large", type=int, default=8, help="timed earns, stock moto, large ledger"
    )
    args = parser.parse_args()

    results: dict[str, float] = {}
    small, large = measure(stock=False, earns=args.earns, earns_large=args.earns)
    results.update(earn_per_s_small=small, earn_per_s_large=large, earn_flatness=large / small)
    small, large = measure(stock=True, earns=args.earns, earns_large=args.stock_earns_large)
    results.update(
        stock_earn_per_s_small=small,
        stock_earn_per_s_large=large,
        stock_earn_flatness=large / small,
    )
    for name, value in results.items():
        print(f"{name}: {value:.2f}")


if __name__ == "__main__":
    main()

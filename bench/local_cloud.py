"""Earn throughput through the local gateway, small vs large ledger, ours vs moto's stock rollback.

    python bench/local_cloud.py [--earns 30] [--stock-earns-large 8]

Starts `python -m backend.local` twice (item-level rollback, then `--stock-transactions`),
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
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
import httpx
from pycognito import Cognito

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "Bench-Passw0rd"  # noqa: S105 - a throwaway local user
SMALL, LARGE = 100, 10_000


def start_cloud(*flags: str) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """A local cloud on ephemeral ports, no persistence; returns the process and its JSON line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EPOINT_", "AWS_"))}
    env["PYTHONPATH"] = str(REPO)
    data_dir = tempfile.mkdtemp(prefix="epoint-bench-")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "backend.local",
            "--port",
            "0",
            "--no-persist",
            "--data-dir",
            data_dir,
            *flags,
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline()  # type: ignore[union-attr]
    if not line:
        raise SystemExit("the local cloud did not start")
    return process, json.loads(line)


def stop_cloud(process: subprocess.Popen[str]) -> None:
    """SIGTERM and wait."""
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)


def aws_client(info: dict[str, Any], service: str) -> Any:
    """A boto3 client for the local cloud's moto server."""
    return boto3.client(
        service,
        endpoint_url=info["cognito_endpoint"],
        region_name=info["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto accepts any
    )


def signed_in(info: dict[str, Any], name: str) -> Cognito:
    """Sign up, confirm with the outbox code, sign in (SRP)."""
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    user = Cognito(
        info["user_pool_id"], info["client_id"], user_pool_region=info["region"], username=email
    )
    user.client = aws_client(info, "cognito-idp")
    user.pool_jwk = info["jwks"]
    user.set_base_attributes(email=email, name=name)
    user.register(email, PASSWORD)
    outbox = httpx.get(info["outbox_url"], params={"format": "json", "to": email}).json()[
        "messages"
    ]
    user.confirm_sign_up(outbox[0]["code"], username=email)
    user.authenticate(password=PASSWORD)
    return user


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
    owner_auth = {"authorization": f"Bearer {owner.access_token}"}
    customer_auth = {"authorization": f"Bearer {customer.access_token}"}
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
    process, info = start_cloud(*(["--stock-transactions"] if stock else []))
    try:
        owner, customer = signed_in(info, "Bench Owner"), signed_in(info, "Bench Customer")
        with httpx.Client(base_url=info["api_url"], timeout=120) as api:
            created = api.post(
                "/merchants",
                json={"name": "Bench Café", "category": "cafe"},
                headers={"authorization": f"Bearer {owner.access_token}"},
            )
            merchant_id = created.json()["merchant_id"]
            customer_id = customer.access_claims["sub"]
            fill_ledger(info, merchant_id, customer_id, SMALL)
            earns_per_second(api, owner, customer, merchant_id, 3)  # warm-up: imports, caches
            small = earns_per_second(api, owner, customer, merchant_id, earns)
            fill_ledger(info, merchant_id, customer_id, LARGE)
            large = earns_per_second(api, owner, customer, merchant_id, earns_large)
        return small, large
    finally:
        stop_cloud(process)


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

"""Ledger benchmark: DynamoDB round trips on the warm path, and the handler's cold import.

The bench business runs a stamp card and two promotions (x2 every day, a welcome bonus), so
the warm path measured is the one with promotions and stamps on.

    python bench/ledger.py            # prints `name: value` lines

Round trips are counted from botocore's own `before-send` event (one per HTTP request the
client would send) while earn and redeem run through backend.app.handler against moto
in-process. The cold import ratio is `import backend.app` over `import boto3`, each timed
in fresh interpreters, alternating, several times (median).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_REGION": "eu-west-1",
        "TABLE_NAME": "epoint-bench",
        "QR_SECRET_ARN": "epoint-qr-bench",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_METRICS_NAMESPACE": "ePoint",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_METRICS_DISABLED": "true",  # keep the EMF lines out of the figures
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)

ROUNDS = 20
IMPORT_RUNS = 7


class Context:
    function_name = "ApiFunction"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:ApiFunction"
    aws_request_id = "bench"


def _event(
    method: str, path: str, user: str, body: dict | None = None, key: str | None = None
) -> dict:
    headers = {"content-type": "application/json"} | ({"idempotency-key": key} if key else {})
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "http": {"method": method, "path": path, "sourceIp": "127.0.0.1"},
            "requestId": str(uuid.uuid4()),
            "authorizer": {"jwt": {"claims": {"sub": user}}},
            "stage": "$default",
        },
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }


def round_trips() -> dict[str, float]:
    """Warm-path round trips and in-process latency of earn and redeem."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        from backend.app import handler
        from backend.dal import cache
        from backend.dal import dynamodb as db
        from backend.triggers.post_confirmation import handler as post_confirmation
        from localcloud.template import table_create_kwargs

        boto3.client("dynamodb").create_table(**table_create_kwargs(os.environ["TABLE_NAME"]))
        boto3.client("secretsmanager").create_secret(
            Name=os.environ["QR_SECRET_ARN"], SecretString="bench-key" * 4
        )

        def call(
            method: str, path: str, user: str, body: dict | None = None, key: str | None = None
        ) -> dict:
            reply = handler(_event(method, path, user, body, key), Context())
            assert reply["statusCode"] < 300, reply
            return json.loads(reply["body"]) if reply.get("body") else {}

        for user in ("owner", "staff", "customer"):
            event = {"request": {"userAttributes": {"sub": user, "email": f"{user}@example.com"}}}
            post_confirmation(event, Context())
        mid = call("POST", "/merchants", "owner", {"name": "Bench Café", "category": "cafe"})[
            "merchant_id"
        ]
        # Staff by consent: the owner invites, the staff member accepts.
        call("POST", f"/merchants/{mid}/invitations", "owner", {"email": "staff@example.com"})
        invitation = call("GET", "/me/invitations", "staff")["items"][0]["token"]
        call("POST", f"/invitations/{invitation}/accept", "staff")
        rid = call(
            "POST", f"/merchants/{mid}/rewards", "owner", {"name": "Coffee", "cost_points": 10}
        )["reward_id"]
        # Promotions and stamps on: every earn is stamped and doubled (a welcome bonus too).
        card = {"stamps_needed": 10, "reward_name": "Free coffee"}
        call("PATCH", f"/merchants/{mid}", "owner", {"stamp_card": card})
        for promotion in (
            {"name": "Double", "kind": "multiplier", "multiplier_pct": 200},
            {"name": "Welcome", "kind": "welcome", "bonus_points": 50},
        ):
            call(
                "POST",
                f"/merchants/{mid}/promotions",
                "owner",
                promotion | {"starts_on": "2026-01-01"},
            )

        sent: list[str] = []
        db.client().meta.events.register_first(
            "before-send.dynamodb", lambda **kw: sent.append("x")
        )

        def counted(path: str, body: dict, key: str, user: str = "staff") -> tuple[int, float]:
            """(DynamoDB requests sent, milliseconds) for one POST (by staff unless `user`)."""
            sent.clear()
            start = time.perf_counter()
            call("POST", path, user, body, key)
            return len(sent), (time.perf_counter() - start) * 1000

        earn_trips, redeem_trips, card_trips, earn_ms, redeem_ms = [], [], [], [], []
        for n in range(ROUNDS):
            token = call("POST", "/qr-tokens", "customer")["token"]
            vid = call("POST", f"/merchants/{mid}/visits", "staff", {"token": token})["visit_id"]
            base = f"/merchants/{mid}/visits/{vid}"
            trips, ms = counted(f"{base}/earn", {"amount_cents": 2500}, f"earn-{n:06d}")
            earn_trips.append(trips)
            earn_ms.append(ms)
            if n % 10 == 9:  # a full card: its reward is a redemption on the same budget
                trips, _ = counted(f"{base}/redeem", {"stamp_card": True}, f"card-{n:06d}")
                card_trips.append(trips)
            trips, ms = counted(f"{base}/redeem", {"reward_id": rid}, f"redeem-{n:06d}")
            redeem_trips.append(trips)
            redeem_ms.append(ms)
        # A container that did not open the visit (another one did): nothing cached.
        token = call("POST", "/qr-tokens", "customer")["token"]
        base = (
            f"/merchants/{mid}/visits/"
            + call("POST", f"/merchants/{mid}/visits", "staff", {"token": token})["visit_id"]
        )
        cache.clear()
        cold_earn, _ = counted(f"{base}/earn", {"amount_cents": 2500}, "cold-earn")
        cache.clear()
        cold_redeem, _ = counted(f"{base}/redeem", {"reward_id": rid}, "cold-redeem")
        # Off the till's budget, for the record: a receipt's claim (the code's Get, the
        # guessing counter taken and given back, the name, the transaction) and an owner's
        # adjustment (the owner check, the name, the transaction).
        code = call("POST", f"/merchants/{mid}/claim-codes", "staff", {"amount_cents": 900})
        claim_trips, _ = counted("/claims", {"code": code["code"]}, "claim-000001", "customer")
        adjust_trips, _ = counted(
            f"/merchants/{mid}/members/customer/adjustments",
            {"points": 5, "reason": "goodwill"},
            "adjust-000001",
            "owner",
        )

    return {
        "dynamodb_round_trips_per_earn": max(earn_trips),
        "dynamodb_round_trips_per_redeem": max(redeem_trips),
        "dynamodb_round_trips_per_stamp_card_reward": max(card_trips),
        "dynamodb_round_trips_per_earn_cold_cache": cold_earn,
        "dynamodb_round_trips_per_redeem_cold_cache": cold_redeem,
        "dynamodb_round_trips_per_claim": claim_trips,
        "dynamodb_round_trips_per_adjustment": adjust_trips,
        "earn_ms_median_moto_in_process": round(statistics.median(earn_ms), 2),
        "redeem_ms_median_moto_in_process": round(statistics.median(redeem_ms), 2),
    }


# What the Lambda runtime sets. The X-Ray SDK (under Powertools' Tracer) checks it: outside
# Lambda it builds a centralized-sampling X-Ray client at import (~100 ms here), inside it
# uses a local sampler. We report the plain figure as the ratio, and this one beside it.
LAMBDA_ENV = {"LAMBDA_TASK_ROOT": str(ROOT), "AWS_LAMBDA_FUNCTION_NAME": "ApiFunction"}


def _import_seconds(module: str, extra_env: dict[str, str] | None = None) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    env = {k: v for k, v in os.environ.items() if k not in ("POWERTOOLS_TRACE_DISABLED",)}
    env.update(PYTHONPATH=str(ROOT), **(extra_env or {}))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return float(out.stdout.strip())


def cold_import() -> dict[str, float]:
    """Median fresh-process import times, boto3 and the handler module, side by side."""
    runs: dict[str, list[float]] = {"boto3": [], "app": [], "boto3_lambda": [], "app_lambda": []}
    for _ in range(IMPORT_RUNS):  # interleaved, so a busy moment hurts both sides alike
        runs["boto3"].append(_import_seconds("boto3"))
        runs["app"].append(_import_seconds("backend.app"))
        runs["boto3_lambda"].append(_import_seconds("boto3", LAMBDA_ENV))
        runs["app_lambda"].append(_import_seconds("backend.app", LAMBDA_ENV))
    m = {name: statistics.median(values) for name, values in runs.items()}
    return {
        "import_boto3_ms": round(m["boto3"] * 1000, 1),
        "import_backend_app_ms": round(m["app"] * 1000, 1),
        "cold_import_ratio": round(m["app"] / m["boto3"], 2),
        "import_boto3_ms_lambda_env": round(m["boto3_lambda"] * 1000, 1),
        "import_backend_app_ms_lambda_env": round(m["app_lambda"] * 1000, 1),
        "cold_import_ratio_lambda_env": round(m["app_lambda"] / m["boto3_lambda"], 2),
    }


def main() -> None:
    for name, value in {**round_trips(), **cold_import()}.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()

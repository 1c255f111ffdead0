"""Ledger benchmark: DynamoDB round trips on the warm path, and the handler's cold import.

The bench business runs a stamp card and two promotions (x2 every day, a welcome bonus), so
the warm path measured is the one with promotions and stamps on.

    python bench/ledger.py            # prints `name: value` lines
    EPOINT_BENCH_IMPORT_RUNS=15 python bench/ledger.py   # more interpreters per import case

Round trips are counted from botocore's own `before-send` event (one per HTTP request the
client would send) while earn and redeem run through backend.app.handler against moto
in-process. The cold import ratio is `import backend.app` over `import boto3`, each timed
in fresh interpreters, alternating, several times (median); the `_lambda_env` figures
import from a copy of the Lambda artifact as Lambda does (see cold_import), beside the
floor (what botocore, Powertools' resolver and pydantic cost by themselves), the CPU the
first request adds, the import without bytecode, and the load average of the machine.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from localcloud import template  # noqa: E402

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
IMPORT_RUNS = int(os.environ.get("EPOINT_BENCH_IMPORT_RUNS", "7"))  # fresh interpreters per case


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
        from localcloud import dynamodb_streams
        from localcloud.template import table_create_kwargs

        dynamodb_streams.install()  # the table's stream, as the local cloud runs it

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
        # Staff by consent: the owner invites, the invitee accepts from their own account.
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


# ------------------------------------------------------------------ cold import
#
# "The Lambda way": the handler is imported from a directory laid out like the ApiFunction
# artifact (backend/Makefile's `package` and `bytecode` steps, plus the distributions of
# backend/requirements.txt copied from this venv instead of the arm64 wheels), with no
# bytecode written (Lambda's /var/task is read-only), the variables the Lambda runtime sets
# and the function's own environment from template.yaml. boto3 comes from the venv, as it
# comes with the runtime in Lambda. Plain `import backend.app` from the checkout is reported
# beside it (cold_import_ratio).

LAMBDA_RUNTIME_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "ApiFunction",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
}


def _distributions(requirements: Path) -> list[importlib.metadata.Distribution]:
    """The installed distributions a requirements file brings in (with their dependencies)."""
    lines = (line.split("#")[0].strip() for line in requirements.read_text().splitlines())
    todo = [Requirement(line) for line in lines if line]
    found: dict[str, importlib.metadata.Distribution] = {}
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        dist = importlib.metadata.distribution(req.name)
        name = dist.metadata["Name"].lower()
        if name not in found:
            found[name] = dist
            todo += [Requirement(r) for r in dist.requires or ()]
    return list(found.values())


def _lambda_package(where: Path, bytecode: bool) -> Path:
    """A copy of the ApiFunction artifact's tree, built the way backend/Makefile builds it."""
    steps = ["package", "bytecode"] if bytecode else ["package"]
    for dist in _distributions(ROOT / "backend" / "requirements.txt"):
        for file in dist.files or ():
            if "__pycache__" in file.parts or file.parts[0].endswith(".dist-info"):
                continue
            target = where / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file.locate(), target)
    make = ["make", "-s", "-C", str(ROOT), "-f", "backend/Makefile", f"ARTIFACTS_DIR={where}"]
    subprocess.run([*make, f"PYTHON={sys.executable}", *steps], check=True)
    return where


def _import_seconds(module: str, env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of `import module` in a fresh interpreter.

    For FIRST_REQUEST: (CPU of creating the DynamoDB client, CPU of the request) after it.
    """
    code = (
        FIRST_REQUEST
        if module == "FIRST_REQUEST"
        else (
            "import time; t, c = time.perf_counter(), time.process_time(); "
            f"import {module}; print(time.perf_counter() - t, time.process_time() - c)"
        )
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    wall, cpu = out.stdout.split()
    return float(wall), float(cpu)


# After the import, a cold container's first request pays for what is built on first use:
# the DynamoDB client (botocore loads the service model) and the route's validation models.
# A body the API refuses (422) runs routing and validation without reaching DynamoDB.
FIRST_REQUEST = """
import json, time
import backend.app
from backend.dal import dynamodb
event = {
    "version": "2.0", "rawPath": "/merchants/m/visits/v/earn", "rawQueryString": "",
    "routeKey": "POST /merchants/{merchant_id}/visits/{visit_id}/earn",
    "headers": {"content-type": "application/json", "idempotency-key": "first-request"},
    "requestContext": {"http": {"method": "POST", "path": "/merchants/m/visits/v/earn"},
                       "requestId": "r", "stage": "$default",
                       "authorizer": {"jwt": {"claims": {"sub": "u"}}}},
    "body": json.dumps({"amount_cents": "12"}), "isBase64Encoded": False,
}
class Context:
    function_name, memory_limit_in_mb, aws_request_id = "ApiFunction", 512, "r"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:ApiFunction"
c = time.process_time()
dynamodb.client()
client = time.process_time() - c
c = time.process_time()
assert backend.app.handler(event, Context())["statusCode"] == 422
print(client, time.process_time() - c)
"""


FLOOR = (
    "botocore.session, botocore.client, aws_lambda_powertools.event_handler, "
    "aws_lambda_powertools.event_handler.openapi.params"
)


def cold_import() -> dict[str, float]:
    """Median fresh-process import times, boto3 and the handler module, side by side."""
    checkout = {k: v for k, v in os.environ.items() if k != "POWERTOOLS_TRACE_DISABLED"}
    checkout.update(PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        compiled = _lambda_package(Path(tmp) / "compiled", bytecode=True)
        source = _lambda_package(Path(tmp) / "source", bytecode=False)
        refs = {"LedgerTable": "epoint-bench", "QrSigningSecret": "epoint-qr-bench"}
        function_env = template.function_environment("ApiFunction", refs)

        def in_lambda(task_root: Path) -> dict[str, str]:
            env = {k: v for k, v in checkout.items() if k != "PYTHONPATH"}
            return (
                env
                | LAMBDA_RUNTIME_ENV
                | function_env
                | {
                    "LAMBDA_TASK_ROOT": str(task_root),
                    "PYTHONPATH": str(task_root),
                    "PYTHONDONTWRITEBYTECODE": "1",
                }
            )

        cases = {
            "boto3": ("boto3", checkout),
            "app": ("backend.app", checkout),
            "boto3_lambda": ("boto3", in_lambda(compiled)),
            "app_lambda": ("backend.app", in_lambda(compiled)),
            "app_lambda_source": ("backend.app", in_lambda(source)),
            "first_request": ("FIRST_REQUEST", in_lambda(compiled)),
            # What no handler built on botocore, Powertools' validated resolver and pydantic
            # can import less of: the floor under cold_import_ratio_lambda_env.
            "floor": (FLOOR, in_lambda(compiled)),
        }
        # The checkout's own bytecode is written once first, as a developer's would be.
        subprocess.run(
            [sys.executable, "-c", "import backend.app"],
            env=checkout | {"PYTHONDONTWRITEBYTECODE": ""},
            check=True,
        )
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(IMPORT_RUNS):  # interleaved, so a busy moment hurts every case alike
            for name, (module, env) in cases.items():
                runs[name].append(_import_seconds(module, env))
    wall = {name: statistics.median(w for w, _ in values) for name, values in runs.items()}
    cpu = {name: statistics.median(c for _, c in values) for name, values in runs.items()}
    return {
        "import_boto3_ms": round(wall["boto3"] * 1000, 1),
        "import_backend_app_ms": round(wall["app"] * 1000, 1),
        "cold_import_ratio": round(wall["app"] / wall["boto3"], 2),
        "import_boto3_ms_lambda_env": round(wall["boto3_lambda"] * 1000, 1),
        "import_backend_app_ms_lambda_env": round(wall["app_lambda"] * 1000, 1),
        "cold_import_ratio_lambda_env": round(wall["app_lambda"] / wall["boto3_lambda"], 2),
        "cold_import_ratio_lambda_env_cpu": round(cpu["app_lambda"] / cpu["boto3_lambda"], 2),
        "cold_import_floor_ratio_lambda_env": round(wall["floor"] / wall["boto3_lambda"], 2),
        "import_backend_app_cpu_ms_lambda_env": round(cpu["app_lambda"] * 1000, 1),
        "first_request_cpu_ms_lambda_env": round(cpu["first_request"] * 1000, 1),
        "dynamodb_client_cpu_ms_lambda_env": round(wall["first_request"] * 1000, 1),
        "import_backend_app_ms_lambda_env_without_bytecode": round(
            wall["app_lambda_source"] * 1000, 1
        ),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    for name, value in {**round_trips(), **cold_import()}.items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()

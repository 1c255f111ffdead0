"""Unit suite: the Lambda handlers in-process against moto, driven by real API Gateway v2 events."""

import json
import os
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import pytest

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_REGION": "eu-west-1",
        "TABLE_NAME": "epoint-unit",
        "QR_SECRET_ARN": "epoint-qr-unit",
        "POWERTOOLS_SERVICE_NAME": "epoint",
        "POWERTOOLS_METRICS_NAMESPACE": "ePoint",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_DEV": "false",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)

import boto3
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from backend import clock, config
from backend.dal import cache, qr_secret, secrets
from backend.dal import dynamodb as db
from localcloud.template import table_create_kwargs

QR_SECRET = "unit-test-signing-key-0123456789abcdef"
# The environment as set above, before any suite ran: restored around each test module,
# because suites that ran earlier in the session (e2e, integration) may have pointed the
# environment at a local cloud they started, and moto only intercepts AWS endpoints.
UNIT_ENVIRON = dict(os.environ)

# moto's DynamoDB backend is not thread-safe (a failed TransactWriteItems restores a deep
# copy of the whole table, wiping writes made meanwhile). Real DynamoDB serialises writes
# per item; serialising moto's backend calls gives the concurrency tests the same footing.
_moto_lock = threading.RLock()


def _serialised(method):
    def locked(self, *args, **kwargs):
        with _moto_lock:
            return method(self, *args, **kwargs)

    return locked


for _name in (
    "get_item",
    "put_item",
    "update_item",
    "delete_item",
    "query",
    "transact_write_items",
    "batch_get_item",
):
    setattr(DynamoDBBackend, _name, _serialised(getattr(DynamoDBBackend, _name)))


@pytest.fixture(scope="module")
def moto_account():
    """A moto account per test module (starting moto per test costs ~0.5 s): the QR secret.

    Module scope, not session: moto must not stay switched on for suites that run later
    in the same pytest session and talk to a real endpoint.
    """
    with pytest.MonkeyPatch.context() as env:
        for name in set(os.environ) - set(UNIT_ENVIRON):
            env.delenv(name)
        for name, value in UNIT_ENVIRON.items():
            env.setenv(name, value)
        with mock_aws():
            boto3.client("secretsmanager").create_secret(
                Name=config.QR_SECRET_ARN, SecretString=QR_SECRET
            )
            db.reset_client()
            qr_secret.signing_key.cache_clear()
            secrets.secret_string.cache_clear()
            yield boto3.client("dynamodb")
            db.reset_client()
            qr_secret.signing_key.cache_clear()
            secrets.secret_string.cache_clear()


@pytest.fixture(autouse=True)
def aws(moto_account):
    """A fresh table per test, created from template.yaml, and a cold container."""
    if config.TABLE_NAME in moto_account.list_tables()["TableNames"]:
        moto_account.delete_table(TableName=config.TABLE_NAME)
    moto_account.create_table(**table_create_kwargs(config.TABLE_NAME))
    cache.clear()
    clock.reset()
    yield
    clock.reset()
    cache.clear()


class LambdaContext:
    function_name = "ApiFunction"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:ApiFunction"
    aws_request_id = "unit-test"


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]

    @property
    def code(self) -> str | None:
        """The error code of an error reply."""
        return (
            (self.body or {}).get("error", {}).get("code") if isinstance(self.body, dict) else None
        )


def http_event(
    method: str,
    path: str,
    *,
    user: str | None,
    body: Any = None,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event, as the JWT authorizer passes it on."""
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    all_headers = {
        "content-type": "application/json",
        **{k.lower(): v for k, v in (headers or {}).items()},
    }
    request_context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "unit",
        "domainName": "unit.execute-api.eu-west-1.amazonaws.com",
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": "pytest",
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": f"{method} {path}",
        "stage": "$default",
        "time": "22/Nov/2026:10:00:00 +0000",
        "timeEpoch": 1795341600000,
    }
    if user:
        request_context["authorizer"] = {
            "jwt": {
                "claims": {"sub": user, "scope": "aws.cognito.signin.user.admin"},
                "scopes": None,
            }
        }
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
        "queryStringParameters": query or None,
        "headers": all_headers,
        "requestContext": request_context,
        "body": text,
        "isBase64Encoded": False,
    }


def call(method: str, path: str, user: str | None = "u-anon", **kwargs: Any) -> Reply:
    """Invoke backend.app.handler like Lambda would and decode the answer."""
    from backend.app import handler

    result = handler(http_event(method, path, user=user, **kwargs), LambdaContext())
    raw = result.get("body") or ""
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw
    return Reply(result["statusCode"], body, result.get("headers") or {})


def sign_up(user_id: str, email: str, name: str = "") -> None:
    """Run the PostConfirmation trigger, as Cognito does after the email code."""
    from backend.triggers.post_confirmation import handler

    attributes = {"sub": user_id, "email": email}
    if name:
        attributes["name"] = name
    handler(
        {
            "triggerSource": "PostConfirmation_ConfirmSignUp",
            "request": {"userAttributes": attributes},
        },
        LambdaContext(),
    )


_key_counter = iter(range(10**9))


def new_key() -> str:
    """A fresh Idempotency-Key."""
    return f"key-{next(_key_counter):08d}-{uuid.uuid4().hex[:8]}"


@dataclass
class Shop:
    """A business with an owner, a staff member and a customer, all signed up."""

    merchant_id: str
    owner: str
    staff: str
    customer: str
    reward_id: str

    def scan(self, customer: str | None = None, by: str | None = None) -> Reply:
        """Customer makes a token; staff scans it (opens a visit)."""
        token = call("POST", "/qr-tokens", user=customer or self.customer).body["token"]
        return call(
            "POST",
            f"/merchants/{self.merchant_id}/visits",
            user=by or self.staff,
            body={"token": token},
        )

    def earn(
        self, visit_id: str, amount_cents: int, by: str | None = None, key: str | None = None
    ) -> Reply:
        return call(
            "POST",
            f"/merchants/{self.merchant_id}/visits/{visit_id}/earn",
            user=by or self.staff,
            body={"amount_cents": amount_cents},
            headers={"Idempotency-Key": key or new_key()},
        )

    def redeem(
        self, visit_id: str, by: str | None = None, key: str | None = None, **body: Any
    ) -> Reply:
        return call(
            "POST",
            f"/merchants/{self.merchant_id}/visits/{visit_id}/redeem",
            user=by or self.staff,
            body=body,
            headers={"Idempotency-Key": key or new_key()},
        )

    def reverse(self, tx_id: str, by: str | None = None, key: str | None = None) -> Reply:
        return call(
            "POST",
            f"/merchants/{self.merchant_id}/transactions/{tx_id}/reverse",
            user=by or self.staff,
            body={"reason": "refund"},
            headers={"Idempotency-Key": key or new_key()},
        )

    def balance(self, customer: str | None = None) -> int:
        wallet = call("GET", "/wallet", user=customer or self.customer).body["memberships"]
        return next((m["balance"] for m in wallet if m["merchant_id"] == self.merchant_id), 0)


def make_shop(prefix: str = "a", name: str = "Café Rosa") -> Shop:
    """Sign up owner/staff/customer, register a business, add staff and one reward (100 pts)."""
    owner, staff, customer = f"{prefix}-owner", f"{prefix}-staff", f"{prefix}-customer"
    sign_up(owner, f"{owner}@example.com", "Olga Owner")
    sign_up(staff, f"{staff}@example.com", "Sam Staff")
    sign_up(customer, f"{customer}@example.com")
    merchant = call("POST", "/merchants", user=owner, body={"name": name, "category": "cafe"})
    assert merchant.status == 201, merchant.body
    mid = merchant.body["merchant_id"]
    assert (
        call(
            "POST", f"/merchants/{mid}/staff", user=owner, body={"email": f"{staff}@example.com"}
        ).status
        == 201
    )
    reward = call(
        "POST",
        f"/merchants/{mid}/rewards",
        user=owner,
        body={"name": "Free coffee", "cost_points": 100},
    )
    assert reward.status == 201, reward.body
    return Shop(mid, owner, staff, customer, reward.body["reward_id"])


@pytest.fixture
def shop() -> Shop:
    return make_shop()

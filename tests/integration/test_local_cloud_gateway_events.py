"""The events the local gateway hands to handlers, and how it maps their answers back (payload v2).

In-process, with a recording handler in place of the Lambda, so each field can be checked.
"""

from __future__ import annotations

import base64
import dataclasses
import time
from typing import Any

import jwt
import pytest
from moto.utilities.utils import load_resource
from werkzeug.test import Client

from localcloud import template
from localcloud.gateway import Gateway, JwtVerifier
from localcloud.outbox import Outbox
from localcloud.template import Route, Throttle

REGION = "us-east-1"
POOL = f"{REGION}_LocalPool"
CLIENT_ID = "local-app-client"
REFS = {"AWS::Region": REGION, "UserPool": POOL, "UserPoolClient": CLIENT_ID}


class Recorder:
    """Stands in for the Lambda: remembers the event, answers what the test says."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.answer: Any = {"statusCode": 200, "body": "{}"}

    def __call__(self, event: dict[str, Any], handler: str, function_id: str) -> Any:
        self.events.append(event)
        return self.answer


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def client(recorder: Recorder) -> Client:
    jwks = load_resource("cognitoidp/resources/jwks-public.json")
    verifiers = {
        name: JwtVerifier(a, jwks) for name, a in template.http_api_authorizers(REFS).items()
    }
    gateway = Gateway(
        routes=template.http_api_routes(),
        authorizers=verifiers,
        cors=template.http_api_cors(REFS),
        invoke=recorder,
        outbox=Outbox(),
        info=dict,
    )
    return Client(gateway)


def _access_token(**changes: Any) -> str:
    now = int(time.time())
    claims = {
        "sub": "user-1",
        "iss": f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}",
        "client_id": CLIENT_ID,
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now,
        "iat": now,
        "exp": now + 3600,
        "username": "user-1",
        **changes,
    }
    private = load_resource("cognitoidp/resources/jwks-private.json")
    return jwt.encode(
        claims, jwt.PyJWK(private).key, algorithm="RS256", headers={"kid": private["kid"]}
    )


def test_the_event_is_an_http_api_v2_event(client: Client, recorder: Recorder) -> None:
    client.set_cookie("theme", "dark")
    client.set_cookie("lang", "en")
    client.post(
        "/merchants/m_42/visits/v_7/earn?a=1&a=2&b=x",
        data=b'{"amount_cents": 100}',
        headers={
            "Authorization": f"Bearer {_access_token()}",
            "Content-Type": "application/json",
            "X-Custom": "Yes",
        },
    )
    (event,) = recorder.events
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /merchants/{merchant_id}/visits/{visit_id}/earn"
    assert event["rawPath"] == "/merchants/m_42/visits/v_7/earn"
    assert event["rawQueryString"] == "a=1&a=2&b=x"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x"}
    assert event["pathParameters"] == {"merchant_id": "m_42", "visit_id": "v_7"}
    assert sorted(event["cookies"]) == ["lang=en", "theme=dark"]
    assert event["headers"]["x-custom"] == "Yes" and "cookie" not in event["headers"]
    assert event["body"] == '{"amount_cents": 100}' and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["http"]["method"] == "POST" and context["http"]["path"] == event["rawPath"]
    assert context["http"]["sourceIp"]
    assert context["stage"] == "$default" and context["routeKey"] == event["routeKey"]
    assert context["requestId"] and abs(context["timeEpoch"] / 1000 - time.time()) < 60
    jwt_context = context["authorizer"]["jwt"]
    assert jwt_context["claims"]["sub"] == "user-1"
    assert isinstance(
        jwt_context["claims"]["exp"], str
    )  # API Gateway passes every claim as a string
    assert jwt_context["scopes"] == ["aws.cognito.signin.user.admin"]


def test_binary_bodies_arrive_base64_encoded(client: Client, recorder: Recorder) -> None:
    client.post(
        "/merchants",
        data=b"\x00\xff",
        headers={"Authorization": _access_token(), "Content-Type": "application/octet-stream"},
    )
    (event,) = recorder.events
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\xff"


def test_the_open_route_gets_no_authorizer_context(client: Client, recorder: Recorder) -> None:
    client.get("/openapi.json")
    (event,) = recorder.events
    assert "authorizer" not in event["requestContext"]


def test_responses_map_status_headers_cookies_and_base64(
    client: Client, recorder: Recorder
) -> None:
    recorder.answer = {
        "statusCode": 201,
        "headers": {"content-type": "image/png", "x-one": "1"},
        "multiValueHeaders": {"x-many": ["a", "b"]},
        "cookies": ["session=abc; HttpOnly", "theme=dark"],
        "body": base64.b64encode(b"\x89PNG").decode(),
        "isBase64Encoded": True,
    }
    answer = client.get("/me", headers={"Authorization": f"Bearer {_access_token()}"})
    assert answer.status_code == 201
    assert answer.data == b"\x89PNG"
    assert answer.headers["content-type"] == "image/png" and answer.headers["x-one"] == "1"
    assert answer.headers.getlist("x-many") == ["a", "b"]
    assert answer.headers.getlist("set-cookie") == ["session=abc; HttpOnly", "theme=dark"]


def test_a_plain_return_value_becomes_a_json_200(client: Client, recorder: Recorder) -> None:
    recorder.answer = {"hello": "world"}
    answer = client.get("/me", headers={"Authorization": f"Bearer {_access_token()}"})
    assert answer.status_code == 200
    assert answer.json == {"hello": "world"}


def test_a_handler_crash_is_api_gateways_500(client: Client, recorder: Recorder) -> None:
    def crash(*_: Any) -> Any:
        raise RuntimeError("boom")

    client.application.invoke = crash  # type: ignore[attr-defined]
    answer = client.get("/me", headers={"Authorization": f"Bearer {_access_token()}"})
    assert answer.status_code == 500
    assert answer.json == {"message": "Internal Server Error"}


def test_a_token_without_the_routes_scope_is_403(client: Client, recorder: Recorder) -> None:
    answer = client.get(
        "/me", headers={"Authorization": f"Bearer {_access_token(scope='openid email')}"}
    )
    assert answer.status_code == 403
    assert 'error="insufficient_scope"' in answer.headers["www-authenticate"]
    assert recorder.events == []


def _throttling_gateway(recorder: Recorder, routes: list[Route], **kwargs: Any) -> Gateway:
    jwks = load_resource("cognitoidp/resources/jwks-public.json")
    verifiers = {
        name: JwtVerifier(a, jwks) for name, a in template.http_api_authorizers(REFS).items()
    }
    return Gateway(
        routes=routes,
        authorizers=verifiers,
        cors=None,
        invoke=recorder,
        outbox=Outbox(),
        info=dict,
        **kwargs,
    )


def test_requests_beyond_the_burst_are_429_until_the_rate_refills(recorder: Recorder) -> None:
    # Routes without throttle settings of their own get the gateway's default bucket each.
    routes = [dataclasses.replace(r, throttle=None) for r in template.http_api_routes()]
    now = [1000.0]
    gateway = _throttling_gateway(
        recorder, routes, throttle=Throttle(rate_per_s=2, burst=3), clock=lambda: now[0]
    )
    client = Client(gateway)
    statuses = [client.get("/openapi.json").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/openapi.json").json == {"message": "Too Many Requests"}
    # Each route has its own allowance.
    assert client.get("/me", headers={"Authorization": _access_token()}).status_code == 200
    now[0] += 0.5  # one token back at 2 per second
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/openapi.json").status_code == 429


def test_each_route_is_throttled_as_template_yaml_says(recorder: Recorder) -> None:
    """RouteSettings are honoured locally: a route's own burst and rate; others the default."""
    routes = {r.route_key: r for r in template.http_api_routes()}
    default = template.http_api_throttling()
    openapi = routes["GET /openapi.json"].throttle
    codes = routes["POST /qr-tokens"].throttle
    assert default is not None and openapi is not None and codes is not None
    assert routes["GET /me"].throttle == default  # no settings of its own
    assert openapi != default and codes.burst > default.burst  # their own, from the template
    now = [1000.0]
    client = Client(_throttling_gateway(recorder, list(routes.values()), clock=lambda: now[0]))
    auth = {"Authorization": f"Bearer {_access_token()}"}

    statuses = [client.get("/openapi.json").status_code for _ in range(openapi.burst + 1)]
    assert statuses == [200] * openapi.burst + [429]
    statuses = [client.get("/me", headers=auth).status_code for _ in range(default.burst + 1)]
    assert statuses == [200] * default.burst + [429]
    # Past the default burst, issuing codes is still admitted: a larger bucket of its own.
    statuses = [
        client.post("/qr-tokens", headers=auth).status_code for _ in range(default.burst + 1)
    ]
    assert statuses == [200] * (default.burst + 1)
    # Each bucket refills at its own route's rate.
    now[0] += 1 / openapi.rate_per_s
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/openapi.json").status_code == 429
    refilled = int(default.rate_per_s / openapi.rate_per_s)  # the default's tokens meanwhile
    statuses = [client.get("/me", headers=auth).status_code for _ in range(refilled + 1)]
    assert statuses == [200] * refilled + [429]


def test_the_template_sets_api_gateways_default_throttle() -> None:
    throttle = template.http_api_throttling()
    assert throttle is not None and throttle.rate_per_s > 0 and throttle.burst > 0

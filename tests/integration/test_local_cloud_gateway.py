"""The local HTTP API gateway: the JWT authorizer, CORS, routing and limits, as API Gateway does them."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from moto.utilities.utils import load_resource

from tests.support.local_cloud import RunningCloud, bearer
from tests.support.world import Person, World

UNAUTHORIZED = {"message": "Unauthorized"}
FORBIDDEN = {"message": "Forbidden"}


@pytest.fixture(scope="module")
def user(world: World) -> Person:
    """One signed-in user for the authorizer tests."""
    return world.person("Gate Keeper")


def _forge(claims: dict[str, Any]) -> str:
    """A token signed with the pool's real key (moto ships it), so only the claims are wrong."""
    private = load_resource("cognitoidp/resources/jwks-private.json")
    key = jwt.PyJWK(private).key
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": private["kid"]})


def _access_claims(user: Person, **changes: Any) -> dict[str, Any]:
    claims = jwt.decode(user.access_token, options={"verify_signature": False})
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _assert_refused(answer: httpx.Response, status: int, body: dict[str, str]) -> None:
    assert answer.status_code == status
    assert answer.json() == body
    assert answer.text == json.dumps(body, separators=(",", ":"))  # byte for byte like AWS
    assert answer.headers["www-authenticate"].startswith("Bearer")


def test_the_access_token_opens_the_api(api: httpx.Client, user: Person) -> None:
    answer = api.get("/me", headers=bearer(user.access_token))
    assert answer.status_code == 200
    assert answer.json()["email"] == user.email


def test_no_token_is_401(api: httpx.Client) -> None:
    _assert_refused(api.get("/me"), 401, UNAUTHORIZED)
    _assert_refused(api.get("/me", headers={"authorization": "Bearer"}), 401, UNAUTHORIZED)


def test_an_expired_token_is_401(api: httpx.Client, user: Person) -> None:
    expired = _forge(_access_claims(user, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600))
    _assert_refused(api.get("/me", headers=bearer(expired)), 401, UNAUTHORIZED)


def test_a_tampered_token_is_401(api: httpx.Client, user: Person) -> None:
    header, payload, signature = user.access_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    tampered = f"{header}.{forged_payload}.{signature}"
    _assert_refused(api.get("/me", headers=bearer(tampered)), 401, UNAUTHORIZED)


def test_a_token_for_another_app_client_is_401(api: httpx.Client, user: Person) -> None:
    foreign = _forge(_access_claims(user, client_id="another-app-client"))
    _assert_refused(api.get("/me", headers=bearer(foreign)), 401, UNAUTHORIZED)


def test_a_token_from_another_pool_is_401(
    api: httpx.Client, user: Person, cloud: RunningCloud
) -> None:
    other_issuer = f"https://cognito-idp.{cloud.region}.amazonaws.com/{cloud.region}_OtherPool"
    _assert_refused(
        api.get("/me", headers=bearer(_forge(_access_claims(user, iss=other_issuer)))),
        401,
        UNAUTHORIZED,
    )


def test_an_id_token_instead_of_the_access_token_is_403(api: httpx.Client, user: Person) -> None:
    _assert_refused(api.get("/me", headers=bearer(user.id_token)), 403, FORBIDDEN)


def test_the_openapi_route_needs_no_token(api: httpx.Client) -> None:
    # Whatever the backend answers, the gateway let it through without a token.
    answer = api.get("/openapi.json")
    assert answer.status_code != 401
    assert "www-authenticate" not in answer.headers


def test_unknown_routes_are_404(api: httpx.Client, user: Person) -> None:
    for method, path in (("GET", "/nope"), ("PUT", "/me"), ("GET", "/merchants/m_1/unknown")):
        answer = api.request(method, path, headers=bearer(user.access_token))
        assert answer.status_code == 404
        assert answer.json() == {"message": "Not Found"}


def test_cors_preflight_allows_only_the_templates_origins(api: httpx.Client) -> None:
    ask = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type,idempotency-key",
    }
    allowed = api.options("/merchants", headers={"origin": "http://localhost:3000", **ask})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert "idempotency-key" in allowed.headers["access-control-allow-headers"]
    assert allowed.headers["access-control-max-age"] == "600"

    foreign = api.options("/merchants", headers={"origin": "https://evil.example", **ask})
    assert "access-control-allow-origin" not in foreign.headers


def test_responses_carry_cors_headers_for_allowed_origins(api: httpx.Client, user: Person) -> None:
    answer = api.get(
        "/me", headers={**bearer(user.access_token), "origin": "http://localhost:3000"}
    )
    assert answer.headers["access-control-allow-origin"] == "http://localhost:3000"
    refused = api.get("/me", headers={"origin": "http://localhost:3000"})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "http://localhost:3000"


def test_bodies_over_10_mb_are_413(api: httpx.Client, user: Person) -> None:
    answer = api.post(
        "/merchants", content=b"x" * (10 * 1024 * 1024 + 1), headers=bearer(user.access_token)
    )
    assert answer.status_code == 413

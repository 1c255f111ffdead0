"""Attack: the authorization matrix from /openapi.json, schemathesis, replays, oversize, injection.

The matrix is generated from the served OpenAPI document: a route without an
authorization rule in tests/proof/authz.py fails the suite, so no route ships unchecked.
"""

from __future__ import annotations

import time

import httpx
import pytest

from backend.logic import qr_tokens
from tests.proof import authz, world
from tests.proof.conftest import Figures
from tests.support.local_cloud import RunningCloud, aws_client


@pytest.fixture(scope="module")
def people(proof_cloud: RunningCloud, proof_api: httpx.Client) -> authz.World:
    """The matrix's businesses, people and tokens."""
    return authz.build_world(proof_cloud, proof_api)


def _routes(api: httpx.Client) -> list[str]:
    document = world.ok(api.get("/openapi.json"))
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    )


def _send(api: httpx.Client, call: authz.Call, authorization: str | None) -> httpx.Response:
    headers = {"authorization": f"Bearer {authorization}"} if authorization else {}
    if call.idempotent:
        headers["idempotency-key"] = world.key()
    return api.request(call.method, call.path, json=call.body, params=call.params, headers=headers)


def test_every_route_answers_every_caller_exactly_and_leaks_nothing(
    proof_api: httpx.Client, people: authz.World, figures: Figures
) -> None:
    routes = _routes(proof_api)
    assert set(routes) == set(authz.RULES), (
        "routes without an authorization rule (or rules without a route): "
        f"{set(routes) ^ set(authz.RULES)}"
    )
    failures: list[str] = []
    cases = 0
    for route in routes:
        rule = authz.RULES[route]
        for caller in authz.CALLERS:
            person = people.person(caller) or authz.rightful(people, rule)
            call = rule.prepare(people, person)
            if caller in authz.TOKEN_CALLERS:
                token = authz.bad_token(people, caller, person)
            else:
                token = person.access_token
            answer = _send(proof_api, call, token)
            cases += 1
            status, code = authz.expected(rule, caller)
            problem = _check(answer, status, code)
            leaked = authz.leaks(people, caller, route, answer)
            if leaked:
                problem = (problem + "; " if problem else "") + f"leaks {leaked}"
            if problem:
                failures.append(f"{route} as {caller}: {problem}")

    cases += _cross_business_cases(proof_api, people, failures)
    figures.record("authz_routes", len(routes))
    figures.record("authz_cases", cases)
    figures.record("authz_failures", len(failures))
    assert not failures, "\n".join(failures)
    found, output = world.reconcile(people.cloud.api_url)
    assert found == 0, output


def _check(answer: httpx.Response, status: int, code: str | None) -> str:
    if answer.status_code != status:
        return f"got {answer.status_code} {answer.text[:200]}, want {status}"
    if status in (401, 403) and code in ("Unauthorized", "Forbidden"):
        if answer.json() != {"message": code} or "www-authenticate" not in answer.headers:
            return f"not the gateway's {status}: {answer.text[:200]}"
    elif code is not None and answer.json().get("error", {}).get("code") != code:
        return f"error code {answer.text[:200]}, want {code}"
    return ""


def _cross_business_cases(api: httpx.Client, w: authz.World, failures: list[str]) -> int:
    """Staff of business 2 pointing business 2's routes at business 1's visits and ledger."""
    visit_id = w.fresh_visit()
    tx_id = w.fresh_earn()
    other = f"/merchants/{w.merchant2_id}"
    calls = {
        "earn on another business's visit": authz.Call(
            "POST", f"{other}/visits/{visit_id}/earn", {"amount_cents": 500}, idempotent=True
        ),
        "redeem on another business's visit": authz.Call(
            "POST", f"{other}/visits/{visit_id}/redeem", {"points": 1}, idempotent=True
        ),
        "reverse another business's transaction": authz.Call(
            "POST", f"{other}/transactions/{tx_id}/reverse", {}, idempotent=True
        ),
        "another business's customer filter": authz.Call(
            "GET", f"{other}/transactions", params={"customer_id": w.customer.user_id}
        ),
    }
    for name, call in calls.items():
        answer = _send(api, call, w.staff2.access_token)
        want = 200 if call.method == "GET" else 404
        if answer.status_code != want:
            failures.append(f"{name}: got {answer.status_code} {answer.text[:200]}, want {want}")
        elif call.method == "GET" and answer.json()["items"]:
            failures.append(f"{name}: leaks {answer.json()['items']}")
        if leaks := authz.leaks(w, "staff_of_another_business", name, answer):
            failures.append(f"{name}: leaks {leaks}")
    return len(calls)


# ------------------------------------------------------------------ replays


def test_used_and_expired_qr_tokens_and_visits_are_refused(
    proof_cloud: RunningCloud, proof_api: httpx.Client, people: authz.World
) -> None:
    w, shop = people, f"/merchants/{people.merchant_id}"
    token = world.qr_token(proof_api, w.customer)
    first = proof_api.post(f"{shop}/visits", json={"token": token["token"]}, headers=w.staff.auth)
    visit_id = world.ok(first, 201)["visit_id"]
    # The same QR value, and its typed 6-digit code, are worthless once used.
    for value in (token["token"], token["short_code"]):
        again = proof_api.post(f"{shop}/visits", json={"token": value}, headers=w.staff.auth)
        assert (again.status_code, again.json()["error"]["code"]) == (409, "token_used")

    # Replaying an earn: same key gives the first answer and writes nothing; a new key is refused.
    earn_path = f"{shop}/visits/{visit_id}/earn"
    headers = {**w.staff.auth, "idempotency-key": world.key()}
    earned = world.ok(proof_api.post(earn_path, json={"amount_cents": 1000}, headers=headers), 201)
    replayed = proof_api.post(earn_path, json={"amount_cents": 1000}, headers=headers)
    assert (replayed.status_code, replayed.json()) == (201, earned)
    other_body = proof_api.post(earn_path, json={"amount_cents": 9999}, headers=headers)
    assert other_body.json()["error"]["code"] == "idempotency_key_reused"
    twice = proof_api.post(
        earn_path,
        json={"amount_cents": 1000},
        headers={**w.staff.auth, "idempotency-key": world.key()},
    )
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "visit_already_earned")
    history = world.ok(
        proof_api.get(f"{shop}/transactions", params={"limit": 100}, headers=w.staff.auth)
    )["items"]
    assert [i["tx_id"] for i in history].count(earned["transaction"]["tx_id"]) == 1
    assert sum(1 for i in history if i["visit_id"] == visit_id and i["kind"] == "earn") == 1

    # A reversal replayed with a new key is refused: a refund happens once.
    reverse_path = f"{shop}/transactions/{earned['transaction']['tx_id']}/reverse"
    world.ok(
        proof_api.post(
            reverse_path, json={}, headers={**w.staff.auth, "idempotency-key": world.key()}
        ),
        201,
    )
    again = proof_api.post(
        reverse_path, json={}, headers={**w.staff.auth, "idempotency-key": world.key()}
    )
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_reversed")

    # Expired: a token signed with the deployment's key 2 minutes ago, and a visit whose
    # 10 minutes ran out (its expiry moved into the past in the table: time, not tampering,
    # would do the same).
    expired = _expired_qr_token(proof_cloud, w.customer.user_id)
    late = proof_api.post(f"{shop}/visits", json={"token": expired}, headers=w.staff.auth)
    assert (late.status_code, late.json()["error"]["code"]) == (410, "token_expired")
    stale_visit = w.fresh_visit()
    _expire_visit(proof_cloud, w.merchant_id, stale_visit)
    for action, body in (("earn", {"amount_cents": 500}), ("redeem", {"points": 1})):
        answer = proof_api.post(
            f"{shop}/visits/{stale_visit}/{action}",
            json=body,
            headers={**w.staff.auth, "idempotency-key": world.key()},
        )
        assert (answer.status_code, answer.json()["error"]["code"]) == (410, "visit_expired")
    # Tampered and garbage tokens.
    for value in (token["token"][:-2] + "xx", "e1.garbage", "000000"):
        answer = proof_api.post(f"{shop}/visits", json={"token": value}, headers=w.staff.auth)
        assert (answer.status_code, answer.json()["error"]["code"]) == (400, "token_invalid")


def _expired_qr_token(cloud: RunningCloud, customer_id: str) -> str:
    key = aws_client(cloud.info, "secretsmanager").get_secret_value(SecretId=cloud.qr_secret_arn)
    token, _ = qr_tokens.issue(
        key["SecretString"].encode(), customer_id, int(time.time()) - 120, 60
    )
    return token


def _expire_visit(cloud: RunningCloud, merchant_id: str, visit_id: str) -> None:
    aws_client(cloud.info, "dynamodb").update_item(
        TableName=cloud.table_name,
        Key={"pk": {"S": f"MERCHANT#{merchant_id}"}, "sk": {"S": f"VISIT#{visit_id}"}},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}},
    )

"""Attack: the authorization matrix from /openapi.json, schemathesis, replays, oversize, injection.

The matrix is generated from the served OpenAPI document: a route without an
authorization rule in tests/proof/authz.py fails the suite, so no route ships unchecked.
"""

from __future__ import annotations

import time

import httpx
import pytest

from backend.logic import qr_tokens
from tests.proof import authz
from tests.proof.conftest import Figures, reconcile
from tests.support.local_cloud import RunningCloud, aws_client
from tests.support.world import GATEWAY_THROTTLED, World, idempotency_key


@pytest.fixture(scope="module")
def people(proof_cloud: RunningCloud, world: World) -> authz.Scene:
    """The matrix's businesses, people and tokens."""
    return authz.build_scene(world, proof_cloud)


def _routes(world: World) -> list[str]:
    document = world.call("GET", "/openapi.json", None).expect(200)
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    )


def _send(api: httpx.Client, call: authz.Call, authorization: str | None) -> httpx.Response:
    headers = {"authorization": f"Bearer {authorization}"} if authorization else {}
    if call.idempotent:
        headers["idempotency-key"] = idempotency_key()
    # The matrix calls each route once per caller, faster than a route's default bucket
    # refills (10/s, bursts of 20): the gateway's own 429 (it never reached the function)
    # is waited out, as an SDK does. The API's per-caller 429s carry an error code and count.
    for _ in range(50):
        answer = api.request(
            call.method, call.path, json=call.body, params=call.params, headers=headers
        )
        if answer.status_code != 429 or answer.text != GATEWAY_THROTTLED:
            return answer
        time.sleep(0.2)
    return answer


def test_every_route_answers_every_caller_exactly_and_leaks_nothing(
    proof_api: httpx.Client, world: World, people: authz.Scene, figures: Figures
) -> None:
    routes = _routes(world)
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
                token = (call.as_person or person).access_token
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
    found, output = reconcile(people.cloud.api_url)
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


def _cross_business_cases(api: httpx.Client, w: authz.Scene, failures: list[str]) -> int:
    """Staff of business 2 pointing business 2's routes at business 1's visits and ledger."""
    visit_id = w.fresh_visit()
    tx_id = w.fresh_earn()
    other = w.shop2.path
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
    proof_cloud: RunningCloud, world: World, people: authz.Scene
) -> None:
    w, shop = people, people.shop
    # A customer of its own: the matrix just spent the scene's customers' codes per minute.
    customer = world.person("Replay Rita")
    token = world.token(customer)
    visit = world.visit(shop, code=token["token"], by=w.staff)
    # The same QR value, and its typed 6-digit code, are worthless once used (a typed code
    # hears the one answer every failed typed code gets).
    again = world.open_visit(shop, token["token"], by=w.staff)
    assert (again.status, again.code) == (409, "token_used")
    again = world.open_visit(shop, token["short_code"], by=w.staff)
    assert (again.status, again.code) == (400, "code_refused")

    # Replaying an earn: same key gives the first answer and writes nothing; a new key is refused.
    key = idempotency_key()
    earned = world.earn(visit, 1000, key=key).expect(201)
    replayed = world.earn(visit, 1000, key=key)
    assert (replayed.status, replayed.body) == (201, earned)
    other_body = world.earn(visit, 9999, key=key)
    assert other_body.code == "idempotency_key_reused"
    twice = world.earn(visit, 1000)
    assert (twice.status, twice.code) == (409, "visit_already_earned")
    history = world.call("GET", f"{shop.path}/transactions", w.staff, query={"limit": 100}).expect(
        200
    )["items"]
    assert [i["tx_id"] for i in history].count(earned["transaction"]["tx_id"]) == 1
    assert sum(1 for i in history if i["visit_id"] == visit.visit_id and i["kind"] == "earn") == 1

    # A reversal replayed with a new key is refused: a refund happens once.
    tx_id = earned["transaction"]["tx_id"]
    world.reverse(shop, tx_id, by=w.staff, reason=None).expect(201)
    again = world.reverse(shop, tx_id, by=w.staff, reason=None)
    assert (again.status, again.code) == (409, "already_reversed")

    # Expired: a token signed with the deployment's key 2 minutes ago, and a visit whose
    # 10 minutes ran out (its expiry moved into the past in the table: time, not tampering,
    # would do the same).
    expired = _expired_qr_token(proof_cloud, customer.user_id)
    late = world.open_visit(shop, expired, by=w.staff)
    assert (late.status, late.code) == (410, "token_expired")
    stale_visit = world.visit(shop, customer, by=w.tills[0])  # the owner's minute is spent
    _expire_visit(proof_cloud, shop.merchant_id, stale_visit.visit_id)
    for answer in (
        world.earn(stale_visit, 500, by=w.staff),
        world.redeem(stale_visit, by=w.staff, points=1),
    ):
        assert (answer.status, answer.code) == (410, "visit_expired")
    # Tampered and garbage tokens.
    for value in (token["token"][:-2] + "xx", "e1.garbage"):
        answer = world.open_visit(shop, value, by=w.staff)
        assert (answer.status, answer.code) == (400, "token_invalid")


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

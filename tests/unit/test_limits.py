"""One account cannot crowd out the others (invariant 9): per-caller limits on the routes
an attacker can drive, counted in the table, answered 429 with Retry-After."""

import pytest

from backend import clock
from backend.logic import limits
from tests.support.world import call


def test_one_caller_past_its_limit_gets_429_while_another_is_served(world):
    abuser, neighbour = world.customer("Abe Abuser"), world.customer("Nina Neighbour")
    allowance = limits.PER_CALLER["issue_code"].allowance
    for _ in range(allowance):
        world.token(abuser)
    refused = call("POST", "/qr-tokens", user=abuser)
    assert (refused.status, refused.code) == (429, "too_many_requests")
    retry_after = int(refused.headers["Retry-After"])
    assert 0 < retry_after <= limits.PER_CALLER["issue_code"].window_s
    assert str(retry_after) in refused.body["error"]["message"]
    assert call("POST", "/qr-tokens", user=neighbour).status == 201
    clock.advance(retry_after)
    assert call("POST", "/qr-tokens", user=abuser).status == 201


@pytest.mark.parametrize(
    ("name", "method", "path"),
    [
        ("create_business", "POST", "/merchants"),
        ("token_status", "GET", "/qr-tokens/{token_id}"),
        ("mail_settings", "GET", "/me/preferences"),
    ],
)
def test_each_limited_route_counts_per_caller(world, customer, name, method, path):
    token_id = world.token(customer)["token_id"]
    body = {"name": "Side Shop", "category": "other"} if method == "POST" else None
    expected = 201 if method == "POST" else 200
    for _ in range(limits.PER_CALLER[name].allowance):
        reply = call(method, path.format(token_id=token_id), user=customer, body=body)
        assert reply.status == expected, reply
    assert call(method, path.format(token_id=token_id), user=customer, body=body).status == 429


def test_refused_input_spends_nothing(world, customer):
    """Validation answers before the limit: a client's bad request is not held against it."""
    for _ in range(limits.PER_CALLER["create_business"].allowance + 2):
        assert call("POST", "/merchants", user=customer, body={"name": ""}).status == 422
    assert world.business(customer, "Real Shop").merchant_id


def test_limits_scale_for_a_load_test_deployment_but_lockouts_do_not(monkeypatch):
    monkeypatch.setattr("backend.config.PER_CALLER_LIMIT_SCALE", 100)
    scaled = limits.PER_CALLER["open_visit"].counter("open_visit", "u", 0)
    assert scaled.allowance == 100 * limits.PER_CALLER["open_visit"].allowance
    lockout = limits.CODE_FAILURES_PER_CALLER.counter("code_failures", "u", 0)
    assert lockout.allowance == limits.CODE_FAILURES_PER_CALLER.allowance


def test_windows_are_fixed_and_renew():
    limit = limits.Limit(3, 60)
    first = limit.counter("x", "u", 1_000_000_019)
    assert first.window_end - first.window_start == 60
    assert first.window_start <= 1_000_000_019 < first.window_end
    later = limit.counter("x", "u", first.window_end)
    assert later.window_start == first.window_end


def test_concurrent_requests_never_exceed_the_allowance(world, customer):
    from concurrent.futures import ThreadPoolExecutor

    allowance = limits.PER_CALLER["issue_code"].allowance
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(
            pool.map(
                lambda _: call("POST", "/qr-tokens", user=customer).status, range(allowance + 10)
            )
        )
    assert sorted(statuses) == [201] * allowance + [429] * 10

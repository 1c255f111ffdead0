"""Bad input is a 4xx with the error body, never a 500, and changes nothing (invariant 6)."""

import json

import boto3
import pytest

from backend import config
from localcloud.template import http_api_routes
from tests.support.world import call, idempotency_key


def table_snapshot() -> list:
    """Every item in the table (test-only Scan), to prove a refusal wrote nothing."""
    client = boto3.client("dynamodb")
    items = client.scan(TableName=config.TABLE_NAME)["Items"]
    return sorted(json.dumps(i, sort_keys=True) for i in items)


LONG = "x" * 300
BAD_TEXT = [None, "", "   ", 5, True, ["a"], LONG, "tab\there", "nul\x00"]


def bad_bodies(shop, customer, visit_id, tx_id, token_id, promotion_id):
    """(method, path, user, bodies) for every POST/PATCH route."""
    mid = shop.merchant_id
    rid = shop.reward.reward_id
    staff = shop.staff[0]
    amounts = [0, -1, 10_000_001, "12", 12.5, True, None, 10**30]
    return [
        (
            "PATCH",
            "/me",
            customer,
            [{}, {"nick": "x"}] + [{"display_name": v} for v in BAD_TEXT],
        ),
        (
            "POST",
            "/merchants",
            shop.owner,
            [
                {},
                {"name": "Shop"},
                {"name": "Shop", "category": "spaceship"},
                {"name": "Shop", "category": "cafe", "currency": "euro"},
                {"name": "Shop", "category": "cafe", "currency": "JPY"},  # no cents: not offered
                {"name": "Shop", "category": "cafe", "earning_rule": {"points_per_unit": 0}},
                {"name": "Shop", "category": "cafe", "earning_rule": {"points_per_unit": 1001}},
                {"name": "Shop", "category": "cafe", "tiers": []},
                {
                    "name": "Shop",
                    "category": "cafe",
                    "tiers": [
                        {"name": "A", "threshold": 100, "multiplier_pct": 100},
                        {"name": "B", "threshold": 50, "multiplier_pct": 150},
                    ],
                },
                {
                    "name": "Shop",
                    "category": "cafe",
                    "tiers": [{"name": "A", "threshold": 0, "multiplier_pct": 501}],
                },
                {
                    "name": "Shop",
                    "category": "cafe",
                    "tiers": [{"name": "A", "threshold": 0, "multiplier_pct": 99}],
                },
                {
                    # No tier from 0 points: a new customer would have none.
                    "name": "Shop",
                    "category": "cafe",
                    "tiers": [{"name": "A", "threshold": 100, "multiplier_pct": 100}],
                },
                {"name": "Shop", "category": "cafe", "owner_id": "me"},
            ]
            + [{"name": v, "category": "cafe"} for v in BAD_TEXT],
        ),
        (
            "PATCH",
            f"/merchants/{mid}",
            shop.owner,
            [
                {"name": ""},
                {"category": "zoo"},
                {"owner_id": "x"},
                {"earning_rule": {"points_per_unit": -1}},
                {"tiers": [{"name": "A", "threshold": 0, "multiplier_pct": 1000}]},
                {"tiers": [{"name": "A", "threshold": 1, "multiplier_pct": 100}]},
                {
                    "tiers": [
                        {"name": str(i), "threshold": i, "multiplier_pct": 100} for i in range(7)
                    ]
                },
                {"staff_limits": {"max_purchase_cents": 100}},
                {"staff_limits": {"max_purchase_cents": -1, "daily_points": 10}},
                {"staff_limits": {"max_purchase_cents": 100, "daily_points": 100_000_001}},
                {"staff_limits": {"max_purchase_cents": "100", "daily_points": 10}},
                {"time_zone": "Mars/Olympus"},
                {"time_zone": "localtime"},
                {"time_zone": "../../etc/passwd"},
                {"time_zone": 1},
                {"stamp_card": {"stamps_needed": 10}},
                {"stamp_card": {"stamps_needed": 1, "reward_name": "Coffee"}},
                {"stamp_card": {"stamps_needed": 51, "reward_name": "Coffee"}},
                {"stamp_card": {"stamps_needed": 10, "reward_name": ""}},
                {"stamp_card": {"stamps_needed": 10, "reward_name": "Coffee", "stamps": 9}},
                {
                    "stamp_card": {
                        "stamps_needed": 10,
                        "reward_name": "Coffee",
                        "min_purchase_cents": -1,
                    }
                },
                {"promotions": []},  # promotions have their own routes
                {"expiry_months": 2},
                {"expiry_months": 61},
                {"expiry_months": -1},
                {"expiry_months": "12"},
                {"expiry_months": 12.0},
                {"expiry_since": 0},
            ],
        ),
        (
            "POST",
            f"/merchants/{mid}/promotions",
            shop.owner,
            [{}, {"name": "Double", "kind": "multiplier", "multiplier_pct": 200}]
            + [
                {"name": "Double", "starts_on": "2026-12-01", **fields}
                for fields in (
                    {"kind": "multiplier"},
                    {"kind": "multiplier", "multiplier_pct": 100},
                    {"kind": "multiplier", "multiplier_pct": 1001},
                    {"kind": "multiplier", "multiplier_pct": 200, "bonus_points": 5},
                    {"kind": "bonus", "bonus_points": 0},
                    {"kind": "welcome", "multiplier_pct": 200},
                    {"kind": "jackpot", "bonus_points": 5},
                    {"kind": "bonus", "bonus_points": 5, "ends_on": "2026-11-30"},
                    {"kind": "bonus", "bonus_points": 5, "ends_on": "2026-02-30"},
                    {"kind": "bonus", "bonus_points": 5, "weekdays": [0]},
                    {"kind": "bonus", "bonus_points": 5, "weekdays": [8]},
                    {"kind": "bonus", "bonus_points": 5, "weekdays": [2, 2]},
                    {"kind": "bonus", "bonus_points": 5, "from_time": "16:00"},
                    {
                        "kind": "bonus",
                        "bonus_points": 5,
                        "from_time": "18:00",
                        "until_time": "16:00",
                    },
                    {
                        "kind": "bonus",
                        "bonus_points": 5,
                        "from_time": "16:00",
                        "until_time": "25:00",
                    },
                    {"kind": "bonus", "bonus_points": 5, "from_time": "4pm", "until_time": "6pm"},
                    {"kind": "bonus", "bonus_points": 5, "promotion_id": "p_mine"},
                )
            ]
            + [
                {"name": v, "kind": "bonus", "bonus_points": 5, "starts_on": "2026-12-01"}
                for v in BAD_TEXT
            ],
        ),
        (
            "PATCH",
            f"/merchants/{mid}/promotions/{promotion_id}",
            shop.owner,
            [
                {"multiplier_pct": 200},  # a bonus has no multiplier
                {"bonus_points": 0},
                {"ends_on": "2000-01-01"},
                {"from_time": "17:00"},  # a window needs both ends
                {"kind": "multiplier"},  # and then its percent
                {"starts_on": "2026-13-01"},
                {"name": ""},
            ],
        ),
        (
            "POST",
            f"/merchants/{mid}/rewards",
            shop.owner,
            [
                {"name": "Cake"},
                {"name": "Cake", "cost_points": 5, "description": LONG},
                {"name": "Cake", "cost_points": 5, "min_tier": "Platinum"},  # no such tier
                {"name": "Cake", "cost_points": 5, "min_tier": ""},
            ]
            + [{"name": "Cake", "cost_points": v} for v in (0, -5, 1_000_001, "5", 1.5, None)],
        ),
        (
            "PATCH",
            f"/merchants/{mid}/rewards/{rid}",
            shop.owner,
            [
                {"active": "yes"},
                {"cost_points": 0},
                {"name": LONG},
                {"reward_id": "r_x"},
                {"min_tier": "bronze"},  # names are exact
            ],
        ),
        (
            "POST",
            f"/merchants/{mid}/invitations",
            shop.owner,
            [
                {},
                {"email": "not-an-email"},
                {"email": 5},
                {"email": "two@at@example.com"},
                {"email": "sp ace@example.com"},
                {"email": "a" * 250 + "@b.co"},
                {"email": "sam@example.com", "role": "owner"},
            ],
        ),
        (
            "POST",
            f"/merchants/{mid}/visits",
            staff,
            [{}, {"token": ""}, {"token": 5}, {"token": "x" * 600}],
        ),
        (
            "POST",
            f"/qr-tokens/{token_id}/approval",
            customer,
            [{}, {"allow": "yes"}, {"allow": 1}, {"allow": None}, {"allow": True, "x": 1}],
        ),
        (
            "POST",
            f"/transactions/{tx_id}/dispute",
            customer,
            [
                {},
                {"reason": "x"},
                {"merchant_id": mid, "reason": LONG},
                {"merchant_id": 5},
                {"merchant_id": mid, "reason": "nul\x00"},
            ],
        ),
        (
            "POST",
            f"/merchants/{mid}/visits/{visit_id}/earn",
            staff,
            [{}, {"amount_cents": 100, "bonus": 1}] + [{"amount_cents": v} for v in amounts],
        ),
        (
            "POST",
            f"/merchants/{mid}/visits/{visit_id}/redeem",
            staff,
            [
                {},
                {"points": 1, "reward_id": rid},
                {"points": 1, "stamp_card": True},
                {"stamp_card": False},
                {"stamp_card": "yes"},
                {"points": 0},
                {"points": "1"},
                {"reward_id": LONG},
            ],
        ),
        (
            "POST",
            f"/merchants/{mid}/transactions/{tx_id}/reverse",
            staff,
            [{"reason": LONG}, {"reason": "ok", "points": 5}],
        ),
        (
            "POST",
            f"/merchants/{mid}/members/{customer.user_id}/adjustments",
            shop.owner,
            [
                {},
                {"points": 5},
                {"reason": "goodwill"},
                {"points": 5, "reason": "goodwill", "note": LONG},
                {"points": 5, "reason": "goodwill", "note": "tab\there"},
                {"points": 5, "reason": "gift"},
            ]
            + [{"points": v, "reason": "correction"} for v in amounts if v != -1],
        ),
        (
            "POST",
            f"/merchants/{mid}/claim-codes",
            staff,
            [{}, {"amount_cents": 100, "customer_id": "x"}]
            + [{"amount_cents": v} for v in amounts],
        ),
        (
            "POST",
            "/claims",
            customer,
            [
                {},
                {"code": 5},
                {"code": "too-short"},
                {"code": "x" * 65},
                {"code": "7K3M-Q9XA-2HPD", "merchant_id": ""},
                {"code": "7K3M-Q9XA-2HPD", "amount_cents": 100},
            ],
        ),
    ]


@pytest.fixture
def prepared(world, shop, customer):
    visit = world.visit(shop, customer)
    tx_id = world.earn(visit, 10_00).expect(201)["transaction"]["tx_id"]
    return visit, tx_id


@pytest.fixture
def promotion_id(shop):
    """A running bonus promotion of the shop's."""
    body = {"name": "Bonus", "kind": "bonus", "bonus_points": 5, "starts_on": "2026-01-01"}
    return call("POST", f"{shop.path}/promotions", user=shop.owner, body=body).expect(201)[
        "promotion_id"
    ]


def test_every_post_and_patch_refuses_bad_bodies_and_writes_nothing(
    world, shop, customer, prepared, promotion_id
):
    visit, tx_id = prepared
    # A typed code waiting for the customer's answer (the approval route's bad bodies).
    token = world.token(customer)
    world.open_visit(shop, token["short_code"], answer=None).expect(202)
    before = table_snapshot()
    routes = bad_bodies(shop, customer, visit.visit_id, tx_id, token["token_id"], promotion_id)
    for method, path, user, bodies in routes:
        for body in bodies:
            reply = call(
                method, path, user=user, body=body, headers={"Idempotency-Key": idempotency_key()}
            )
            assert reply.status == 422, (method, path, body, reply)
            assert reply.code == "validation_error"
            assert reply.body["error"]["message"]
        optional_body = path.endswith("/reverse")  # reverse's body (a reason) may be left out
        for raw in ("{not json", "[1, 2", "[]", '"text"') + (() if optional_body else ("", "null")):
            reply = call(
                method,
                path,
                user=user,
                raw_body=raw,
                headers={"Idempotency-Key": idempotency_key()},
            )
            assert reply.status in (400, 422), (method, path, raw, reply)
            assert reply.code in ("bad_request", "validation_error")
    assert table_snapshot() == before


def test_malformed_json_is_400_bad_request(shop):
    reply = call("POST", "/merchants", user=shop.owner, raw_body='{"name": "x",')
    assert (reply.status, reply.code) == (400, "bad_request")


def test_validation_message_names_the_field(world, prepared):
    visit, _ = prepared
    reply = world.earn(visit, 10_000_001)
    assert "amount_cents" in reply.body["error"]["message"]


def test_bodies_over_16_kib_are_413(customer):
    before = table_snapshot()
    reply = call("PATCH", "/me", user=customer, body={"display_name": "x" * 17_000})
    assert (reply.status, reply.code) == (413, "payload_too_large")
    assert table_snapshot() == before


def test_bad_query_parameters_are_4xx(customer):
    for query in ({"limit": "0"}, {"limit": "101"}, {"limit": "ten"}, {"cursor": "x" * 3000}):
        reply = call("GET", "/transactions", user=customer, query=query)
        assert reply.status in (400, 422) and reply.code, query
    assert call("GET", "/merchants", user="x", query={"category": "zoo"}).status == 422


def test_unknown_routes_and_missing_identity():
    missing = call("GET", "/nowhere", user="u")
    assert (missing.status, missing.code) == (404, "not_found")
    anonymous = call("GET", "/wallet", user=None)
    assert (anonymous.status, anonymous.code) == (401, "unauthorized")


def test_openapi_document_is_served_without_a_caller():
    reply = call("GET", "/openapi.json", user=None)
    assert reply.status == 200
    paths = reply.body["paths"]
    for path in (
        "/wallet",
        "/merchants/{merchant_id}/visits/{visit_id}/earn",
        "/qr-tokens/{token_id}",
    ):
        assert path in paths
    assert "amount_cents" in json.dumps(reply.body["components"])


def test_anonymous_document_requests_do_not_rebuild_the_document(monkeypatch):
    """GET /openapi.json is public: a flood of it must not cost a schema build each time."""
    from backend import app

    first = call("GET", "/openapi.json", user=None).body
    builds = []
    monkeypatch.setattr(app.app, "get_openapi_json_schema", lambda **kw: builds.append(kw) or "{}")
    for _ in range(3):
        assert call("GET", "/openapi.json", user=None).body == first
    assert builds == []


def test_every_route_of_the_app_is_in_the_template():
    """...and the other way round: a route the app serves but the gateway never routes is a
    feature nobody can reach deployed (the local gateway routes from the template too)."""
    from backend.app import app

    served = {
        f"{route.method} {route.openapi_path}" for route in app._static_routes + app._dynamic_routes
    }
    routed = {f"{r.method} {r.path}" for r in http_api_routes() if r.function == "ApiFunction"}
    assert served == routed


def test_every_route_of_the_template_is_served_by_the_app(shop):
    """template.yaml (what the gateway routes) and the resolver (what answers) agree.

    (The unsubscribe page is its own function: tests/unit/test_notifier.py calls it.)"""
    routes = [r for r in http_api_routes() if r.function == "ApiFunction"]
    assert len(routes) >= 25
    for route in routes:
        path = route.path.format(
            merchant_id=shop.merchant_id,
            visit_id="v_x",
            tx_id="t_x",
            reward_id="r_x",
            user_id="u_x",
            token_id="q_x",
            request_id="a_x",
            promotion_id="p_x",
            invitation_id="i_x",
            token=f"{shop.merchant_id}.{'x' * 24}",
            customer_id="u_x",
            claim_id="c_x",
        )
        reply = call(
            route.method,
            path,
            user=shop.owner,
            body={},
            headers={"Idempotency-Key": idempotency_key()},
        )
        assert reply.status < 500, (route.route_key, reply)
        assert (
            not (reply.body or {})
            .get("error", {})
            .get("message", "")
            .startswith("There is no such route")
        ), route.route_key


def test_openapi_document_names_the_idempotency_key_header():
    doc = call("GET", "/openapi.json", user=None).body
    earn = doc["paths"]["/merchants/{merchant_id}/visits/{visit_id}/earn"]["post"]
    headers = [p["name"] for p in earn["parameters"] if p["in"] == "header"]
    assert headers == ["idempotency-key"]


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ],
)
def test_bodies_that_are_not_json_are_400(shop, content_type):
    before = table_snapshot()
    reply = call(
        "POST",
        "/merchants",
        user=shop.owner,
        raw_body='{"name": "Shop", "category": "cafe"}',
        headers={"content-type": content_type},
    )
    assert (reply.status, reply.code) == (400, "not_json")
    assert table_snapshot() == before


def test_absurdly_long_ids_are_404_not_a_key_error(shop):
    """DynamoDB refuses keys over 1-2 KB with a ValidationException (moto does not check)."""
    for method, path in (
        ("GET", f"/merchants/{'m' * 3000}"),
        ("DELETE", f"/merchants/{shop.merchant_id}/staff/{'u' * 3000}"),
        ("GET", f"/qr-tokens/{'q' * 3000}"),
    ):
        reply = call(method, path, user=shop.owner)
        assert (reply.status, reply.code) == (404, "not_found"), path[:40]

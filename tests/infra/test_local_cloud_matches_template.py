"""The local cloud and the deployed stack are defined by the same template: prove they agree.

Starts the local cloud in-process (moto provisioned by localcloud from template.yaml) and
compares what moto holds with the SAM-transformed template CloudFormation would deploy: the
table's keys, indexes and TTL, the user pool's policies, the web client's flows, and each
route's throttle.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
import pytest

from localcloud import template
from localcloud.cloud import TABLE_NAME, LocalCloud


@pytest.fixture(scope="module")
def local(tmp_path_factory) -> dict[str, Any]:
    """What moto holds once the local cloud has provisioned itself (then it is stopped)."""
    saved_env = dict(os.environ)
    cloud = LocalCloud(
        port=0, moto_port=0, data_dir=tmp_path_factory.mktemp("cloud"), persist=False
    ).start()
    try:
        dynamodb = boto3.client("dynamodb", region_name=cloud.region)
        cognito = boto3.client("cognito-idp", region_name=cloud.region)
        pool_id, client_id = cloud.refs["UserPool"], cloud.refs["UserPoolClient"]
        return {
            "table": dynamodb.describe_table(TableName=TABLE_NAME)["Table"],
            "ttl": dynamodb.describe_time_to_live(TableName=TABLE_NAME)["TimeToLiveDescription"],
            "pool": cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"],
            "client": cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)[
                "UserPoolClient"
            ],
        }
    finally:
        cloud.stop()
        os.environ.clear()
        os.environ.update(saved_env)


def props(cfn: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return cfn["Resources"][logical_id]["Properties"]


def keys(schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(k["AttributeName"], k["KeyType"]) for k in schema]


def test_the_table_has_the_deployed_keys_indexes_billing_and_ttl(cfn, local):
    deployed, table = props(cfn, "LedgerTable"), local["table"]
    assert keys(table["KeySchema"]) == keys(deployed["KeySchema"])
    assert sorted(map(tuple, (d.values() for d in table["AttributeDefinitions"]))) == sorted(
        map(tuple, (d.values() for d in deployed["AttributeDefinitions"]))
    )
    local_gsis = {
        g["IndexName"]: (keys(g["KeySchema"]), g["Projection"]["ProjectionType"])
        for g in table.get("GlobalSecondaryIndexes", [])
    }
    deployed_gsis = {
        g["IndexName"]: (keys(g["KeySchema"]), g["Projection"]["ProjectionType"])
        for g in deployed["GlobalSecondaryIndexes"]
    }
    assert local_gsis == deployed_gsis
    assert table["BillingModeSummary"]["BillingMode"] == deployed["BillingMode"]
    assert local["ttl"]["TimeToLiveStatus"] == "ENABLED"
    assert local["ttl"]["AttributeName"] == deployed["TimeToLiveSpecification"]["AttributeName"]


def test_the_user_pool_enforces_the_deployed_policies(cfn, local):
    deployed, pool = props(cfn, "UserPool"), local["pool"]
    assert pool["Policies"]["PasswordPolicy"] == deployed["Policies"]["PasswordPolicy"]
    assert pool["UsernameAttributes"] == deployed["UsernameAttributes"]
    assert pool["AutoVerifiedAttributes"] == deployed["AutoVerifiedAttributes"]
    assert pool["UsernameConfiguration"] == deployed["UsernameConfiguration"]
    assert pool["AccountRecoverySetting"] == deployed["AccountRecoverySetting"]
    local_schema = {a["Name"]: a for a in pool["SchemaAttributes"]}
    for attr in deployed["Schema"]:
        held = local_schema[attr["Name"]]
        assert (held["Required"], held["Mutable"]) == (attr["Required"], attr["Mutable"])


def test_the_web_client_allows_exactly_the_deployed_flows_and_token_lifetimes(cfn, local):
    deployed, client = props(cfn, "UserPoolClient"), local["client"]
    assert sorted(client["ExplicitAuthFlows"]) == sorted(deployed["ExplicitAuthFlows"])
    assert ("ClientSecret" in client) == deployed["GenerateSecret"]
    for key in (
        "ReadAttributes",
        "WriteAttributes",
        "PreventUserExistenceErrors",
        "EnableTokenRevocation",
        "AccessTokenValidity",
        "IdTokenValidity",
        "RefreshTokenValidity",
    ):
        held, want = client.get(key), deployed[key]
        assert (sorted(held) if isinstance(want, list) else held) == (
            sorted(want) if isinstance(want, list) else want
        ), key
    units = {k: v.lower() for k, v in client["TokenValidityUnits"].items()}
    assert units == {k: v.lower() for k, v in deployed["TokenValidityUnits"].items()}


def test_every_local_route_is_throttled_as_the_deployed_stage(cfn):
    """The local gateway's bucket per route = the stage's RouteSettings over its defaults."""
    (stage,) = (
        res["Properties"]
        for res in cfn["Resources"].values()
        if res["Type"] == "AWS::ApiGatewayV2::Stage"
    )
    default = stage["DefaultRouteSettings"]
    deployed = {
        key: {**default, **settings} for key, settings in (stage.get("RouteSettings") or {}).items()
    }
    local = template.http_api_routes()
    assert set(deployed) <= {r.route_key for r in local}, "a RouteSettings key names no route"
    for route in local:
        want = deployed.get(route.route_key, default)
        assert route.throttle == template.Throttle(
            rate_per_s=float(want["ThrottlingRateLimit"]), burst=int(want["ThrottlingBurstLimit"])
        ), route.route_key

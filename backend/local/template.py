"""Reads template.yaml: the one definition of every resource, for the local cloud and the tests.

Nothing here knows resource *values*; it only lifts them out of the SAM template so that
moto is provisioned with exactly what AWS would be.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that keeps CloudFormation short-form intrinsics (!Ref, !GetAtt, !Sub...)."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


@functools.cache
def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The parsed template (cached; treat it as read-only)."""
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


def resource(logical_id: str) -> dict[str, Any]:
    """One resource's `Properties`."""
    return load_template()["Resources"][logical_id].get("Properties", {})


def resources_of_type(resource_type: str) -> dict[str, dict[str, Any]]:
    """Logical id -> resource, for every resource of one CloudFormation/SAM type."""
    return {
        logical_id: res
        for logical_id, res in load_template()["Resources"].items()
        if res["Type"] == resource_type
    }


def table_create_kwargs(table_name: str, logical_id: str = "LedgerTable") -> dict[str, Any]:
    """boto3 `create_table` arguments for the template's table (keys, GSIs, billing)."""
    props = resource(logical_id)
    kwargs: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    return kwargs


def table_ttl_attribute(logical_id: str = "LedgerTable") -> str | None:
    """The TTL attribute name, if TTL is enabled on the table."""
    spec = resource(logical_id).get("TimeToLiveSpecification") or {}
    return spec.get("AttributeName") if spec.get("Enabled") else None


@dataclass(frozen=True)
class Route:
    """One HTTP API route of template.yaml, as API Gateway would see it."""

    method: str
    path: str  # e.g. /merchants/{merchant_id}
    function: str  # logical id of the integration function
    handler: str  # e.g. backend.app.handler
    authorizer: str | None  # None = open route
    scopes: tuple[str, ...]

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"


def http_api_routes(api_logical_id: str = "HttpApi") -> list[Route]:
    """Every HttpApi event of every function, with its effective authorizer and scopes."""
    api = resource(api_logical_id)
    default_auth = (api.get("Auth") or {}).get("DefaultAuthorizer")
    routes: list[Route] = []
    for logical_id, res in resources_of_type("AWS::Serverless::Function").items():
        props = res.get("Properties", {})
        for event in (props.get("Events") or {}).values():
            if event.get("Type") != "HttpApi":
                continue
            ev = event.get("Properties", {})
            auth = ev.get("Auth") or {}
            authorizer = auth.get("Authorizer", default_auth)
            if authorizer == "NONE":
                authorizer = None
            routes.append(
                Route(
                    method=ev["Method"].upper(),
                    path=ev["Path"],
                    function=logical_id,
                    handler=props["Handler"],
                    authorizer=authorizer,
                    scopes=tuple(auth.get("AuthorizationScopes") or ()),
                )
            )
    return routes

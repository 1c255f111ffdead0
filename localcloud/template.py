"""Reads template.yaml: the one definition of every resource, for the local cloud and the tests.

Nothing here knows resource *values*; it only lifts them out of the SAM template so that
moto is provisioned with exactly what AWS would be.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_PATH = Path(__file__).resolve().parents[1] / "template.yaml"


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
class Throttle:
    """API Gateway's throttle of one route: `rate_per_s` on average, bursts up to `burst`."""

    rate_per_s: float
    burst: int


@dataclass(frozen=True)
class Route:
    """One HTTP API route of template.yaml, as API Gateway would see it."""

    method: str
    path: str  # e.g. /merchants/{merchant_id}
    function: str  # logical id of the integration function
    handler: str  # e.g. backend.app.handler
    authorizer: str | None  # None = open route
    scopes: tuple[str, ...]
    throttle: Throttle | None = None  # its RouteSettings over DefaultRouteSettings, as deployed

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"


def http_api_routes(api_logical_id: str = "HttpApi") -> list[Route]:
    """Every HttpApi event of every function, with its effective authorizer and scopes."""
    api = resource(api_logical_id)
    default_auth = (api.get("Auth") or {}).get("DefaultAuthorizer")
    default_throttle = http_api_throttling(api_logical_id)
    api_route_settings = api.get("RouteSettings") or {}
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
            method = ev["Method"].upper()
            # SAM merges an event's RouteSettings over the API's entry for the same route key.
            own = api_route_settings.get(f"{method} {ev['Path']}") or {}
            own = {**own, **(ev.get("RouteSettings") or {})}
            routes.append(
                Route(
                    method=method,
                    path=ev["Path"],
                    function=logical_id,
                    handler=props["Handler"],
                    authorizer=authorizer,
                    scopes=tuple(auth.get("AuthorizationScopes") or ()),
                    throttle=_throttle(own, default_throttle),
                )
            )
    return routes


# ---------------------------------------------------------------- intrinsics

_PSEUDO = {"AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::Partition"}


def parameter_default(name: str) -> Any:
    """A template parameter's default; CommaDelimitedList defaults become lists."""
    param = load_template()["Parameters"][name]
    default = param.get("Default")
    if param.get("Type") == "CommaDelimitedList" and isinstance(default, str):
        return [part.strip() for part in default.split(",") if part.strip()]
    return default


def resolve(value: Any, refs: dict[str, Any]) -> Any:
    """Evaluate !Ref, !GetAtt and !Sub against `refs` (logical ids, `Res.Attr`, pseudo params).

    Parameters fall back to their template defaults, so callers only pass what the
    local cloud created (table name, pool id, ...). An unknown reference is a KeyError:
    better than provisioning something half-resolved.
    """
    if isinstance(value, list):
        return [resolve(v, refs) for v in value]
    if not isinstance(value, dict):
        return value
    if "Ref" in value and len(value) == 1:
        return _lookup(value["Ref"], refs)
    if "Fn::GetAtt" in value and len(value) == 1:
        logical_id, attr = value["Fn::GetAtt"]
        return _lookup(f"{logical_id}.{attr}", refs)
    if "Fn::Sub" in value and len(value) == 1:
        text = value["Fn::Sub"]
        if isinstance(text, list):  # !Sub [template, {vars}]
            text, local = text
            refs = {**refs, **{k: resolve(v, refs) for k, v in local.items()}}
        return _SUB_VAR.sub(lambda m: str(_lookup(m.group(1), refs)), text)
    return {k: resolve(v, refs) for k, v in value.items()}


def _lookup(name: str, refs: dict[str, Any]) -> Any:
    if name in refs:
        return refs[name]
    if name in (load_template().get("Parameters") or {}):
        return parameter_default(name)
    if name in _PSEUDO:
        raise KeyError(f"pseudo parameter {name} must be passed in refs")
    raise KeyError(f"template reference {name!r} is not known locally")


_SUB_VAR = re.compile(r"\$\{([A-Za-z0-9:._]+)\}")


# ---------------------------------------------------------------- users


def user_pool_create_kwargs(refs: dict[str, Any], logical_id: str = "UserPool") -> dict[str, Any]:
    """boto3 `create_user_pool` arguments: policies, username/verified attributes, schema."""
    props = resource(logical_id)
    kwargs: dict[str, Any] = {"PoolName": resolve(props["UserPoolName"], refs)}
    for key in (
        "Policies",
        "UsernameAttributes",
        "AutoVerifiedAttributes",
        "UsernameConfiguration",
        "AccountRecoverySetting",
        "VerificationMessageTemplate",
        "Schema",
    ):
        if key in props:
            kwargs[key] = resolve(props[key], refs)
    return kwargs


def user_pool_triggers(logical_id: str = "UserPool") -> dict[str, str]:
    """Cognito trigger name (e.g. PostConfirmation) -> the handler of the function it invokes."""
    triggers: dict[str, str] = {}
    for trigger, target in (resource(logical_id).get("LambdaConfig") or {}).items():
        if isinstance(target, dict) and "Fn::GetAtt" in target:
            function_id = target["Fn::GetAtt"][0]
            triggers[trigger] = resource(function_id)["Handler"]
    return triggers


def user_pool_client_kwargs(
    refs: dict[str, Any], logical_id: str = "UserPoolClient"
) -> dict[str, Any]:
    """boto3 `create_user_pool_client` arguments: auth flows, read/write attributes, validity."""
    props = resource(logical_id)
    keys = (
        "UserPoolId",
        "ClientName",
        "GenerateSecret",
        "ExplicitAuthFlows",
        "ReadAttributes",
        "WriteAttributes",
        "PreventUserExistenceErrors",
        "EnableTokenRevocation",
        "AccessTokenValidity",
        "IdTokenValidity",
        "RefreshTokenValidity",
        "TokenValidityUnits",
    )
    return {key: resolve(props[key], refs) for key in keys if key in props}


def secret_generation(logical_id: str = "QrSigningSecret") -> dict[str, Any]:
    """The secret's GenerateSecretString settings (length, excluded characters)."""
    return dict(resource(logical_id).get("GenerateSecretString") or {})


# ---------------------------------------------------------------- functions and API


def function_environment(function_id: str, refs: dict[str, Any]) -> dict[str, str]:
    """A function's environment as Lambda would see it: Globals merged with its own variables."""
    template = load_template()
    global_env = (
        ((template.get("Globals") or {}).get("Function") or {}).get("Environment") or {}
    ).get("Variables") or {}
    own_env = ((resource(function_id).get("Environment") or {}).get("Variables")) or {}
    return {k: str(v) for k, v in resolve({**global_env, **own_env}, refs).items()}


def function_for_handler(handler: str) -> str:
    """The logical id of the function whose Handler is `handler`."""
    for logical_id, res in resources_of_type("AWS::Serverless::Function").items():
        if res.get("Properties", {}).get("Handler") == handler:
            return logical_id
    raise KeyError(handler)


@dataclass(frozen=True)
class Cors:
    """The HTTP API's CorsConfiguration, resolved."""

    allow_origins: tuple[str, ...]
    allow_headers: tuple[str, ...]
    allow_methods: tuple[str, ...]
    max_age: int | None


def http_api_cors(refs: dict[str, Any], api_logical_id: str = "HttpApi") -> Cors | None:
    """The API's CORS settings, with `FrontendOrigins` (or whatever it refers to) resolved."""
    config = resource(api_logical_id).get("CorsConfiguration")
    if not config:
        return None
    config = resolve(config, refs)

    def as_tuple(value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            value = value.split(",")
        return tuple(str(v).strip() for v in value or ())

    return Cors(
        allow_origins=as_tuple(config.get("AllowOrigins")),
        allow_headers=tuple(h.lower() for h in as_tuple(config.get("AllowHeaders"))),
        allow_methods=tuple(m.upper() for m in as_tuple(config.get("AllowMethods"))),
        max_age=config.get("MaxAge"),
    )


@dataclass(frozen=True)
class JwtAuthorizer:
    """One JWT authorizer of the HTTP API, resolved (issuer URL, accepted audiences)."""

    name: str
    issuer: str
    audience: tuple[str, ...]


def http_api_authorizers(
    refs: dict[str, Any], api_logical_id: str = "HttpApi"
) -> dict[str, JwtAuthorizer]:
    """Authorizer name -> its resolved JWT configuration."""
    auth = resource(api_logical_id).get("Auth") or {}
    result: dict[str, JwtAuthorizer] = {}
    for name, spec in (auth.get("Authorizers") or {}).items():
        jwt_config = resolve(spec.get("JwtConfiguration") or {}, refs)
        result[name] = JwtAuthorizer(
            name=name,
            issuer=jwt_config["issuer"],
            audience=tuple(jwt_config.get("audience") or ()),
        )
    return result


def http_api_throttling(api_logical_id: str = "HttpApi") -> Throttle | None:
    """DefaultRouteSettings' throttling: the bucket of every route without settings of its own."""
    return _throttle(resource(api_logical_id).get("DefaultRouteSettings") or {}, None)


def _throttle(settings: dict[str, Any], default: Throttle | None) -> Throttle | None:
    """A RouteSettings entry's throttle, each limit it leaves out taken from `default`."""
    rate = settings.get("ThrottlingRateLimit", default.rate_per_s if default else None)
    burst = settings.get("ThrottlingBurstLimit", default.burst if default else None)
    if rate is None or burst is None:
        return None
    return Throttle(rate_per_s=float(rate), burst=int(burst))


def function_timeout_s(function_id: str) -> float:
    """A function's Timeout in seconds (its own, else Globals, else Lambda's default 3 s)."""
    global_props = (load_template().get("Globals") or {}).get("Function") or {}
    return float(resource(function_id).get("Timeout", global_props.get("Timeout", 3)))

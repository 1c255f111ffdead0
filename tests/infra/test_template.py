"""What must hold of the deployed stack, read from the SAM-transformed template.yaml."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.app_under_test import amplify_custom_headers

ROOT = Path(__file__).resolve().parents[2]

ACCESS_TOKEN_SCOPE = "aws.cognito.signin.user.admin"
# Actions AWS does not let a policy scope to a resource: the only ones allowed on "*".
UNSCOPABLE_ACTIONS = {"ecr:GetAuthorizationToken"}
# AWS managed policies SAM attaches to every function (logs, X-Ray tracing).
LAMBDA_MANAGED_POLICIES = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
}
# ...and the ones SAM attaches for a VpcConfig (network interfaces) and a DynamoDB stream
# event (reading streams): AWS's own, for those two needs only.
VPC_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
STREAM_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole"


def of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """Logical id -> resource for every resource of one type."""
    return {k: v for k, v in template["Resources"].items() if v["Type"] == resource_type}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def http_api_operations(cfn: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """'METHOD /path' -> OpenAPI operation of the HTTP API SAM generated."""
    (api,) = of_type(cfn, "AWS::ApiGatewayV2::Api").values()
    paths = api["Properties"]["Body"]["paths"]
    return {
        f"{method.upper()} {path}": op
        for path, methods in paths.items()
        for method, op in methods.items()
    }


# ---------------------------------------------------------------- the API's front door


# The public routes: the API's own document, and an email's unsubscribe link (signed; served
# by its own function, which may only turn mail off: test_the_unsubscribe_page_...).
PUBLIC_ROUTES = {"GET /openapi.json", "GET /unsubscribe", "POST /unsubscribe"}


def test_every_route_but_the_public_ones_needs_a_user_pool_access_token(cfn, sam_template):
    operations = http_api_operations(cfn)
    declared = [
        f"{ev['Properties']['Method'].upper()} {ev['Properties']['Path']}"
        for fn in of_type(sam_template, "AWS::Serverless::Function").values()
        for ev in (fn["Properties"].get("Events") or {}).values()
        if ev["Type"] == "HttpApi"
    ]
    assert sorted(operations) == sorted(declared), (
        "a route of template.yaml is missing from the API"
    )
    for public in PUBLIC_ROUTES:
        assert operations.pop(public)["security"] == [{"NONE": []}], public
    assert len(operations) >= 20
    for route, op in operations.items():
        assert op.get("security") == [{"CognitoJwt": [ACCESS_TOKEN_SCOPE]}], route


def deployed_throttles(cfn: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The stage's DefaultRouteSettings, and each route's settings merged over them."""
    (stage,) = of_type(cfn, "AWS::ApiGatewayV2::Stage").values()
    default = stage["Properties"]["DefaultRouteSettings"]
    own = stage["Properties"].get("RouteSettings") or {}
    routes = {route: {**default, **own.get(route, {})} for route in http_api_operations(cfn)}
    return default, routes


def test_every_route_has_a_throttle_and_the_api_a_stated_ceiling(cfn):
    _, routes = deployed_throttles(cfn)
    for route, settings in routes.items():
        rate, burst = settings.get("ThrottlingRateLimit"), settings.get("ThrottlingBurstLimit")
        assert rate and burst and rate <= burst, route
    # The sum of every route's rate is what Lambda and DynamoDB must carry at worst; the
    # account's regional quota (10,000/s) is shared with every other API in it.
    ceiling = sum(s["ThrottlingRateLimit"] for s in routes.values())
    # Lambda at that ceiling: ~1,100 x 0.12 s ≈ 130 executions, far under the default quota.
    assert ceiling < 1100
    deploy_md = (ROOT / "docs" / "deploy.md").read_text()
    assert f"**{ceiling:,.0f} requests per second**" in deploy_md


def test_the_throttle_table_in_deploy_md_is_what_template_yaml_deploys(cfn):
    """docs/deploy.md's arithmetic and template.yaml name the same rate and burst."""
    default, routes = deployed_throttles(cfn)
    doc = (ROOT / "docs" / "deploy.md").read_text()
    section = doc.split("### Per-route throttles")[1].split("\n### ")[0]
    rows = re.findall(r"^\| (.+?) \| [^|]+ \| (\d+) \| (\d+) \|$", section, re.M)
    assert rows
    listed: dict[str, tuple[int, int]] = {}
    for name, rate, burst in rows:
        route = re.match(r"`([A-Z]+ /[^`]*)`", name)
        listed[route.group(1) if route else "default"] = (int(rate), int(burst))
    deployed = {
        route: (s["ThrottlingRateLimit"], s["ThrottlingBurstLimit"]) for route, s in routes.items()
    }
    want_default = (default["ThrottlingRateLimit"], default["ThrottlingBurstLimit"])
    assert listed.pop("default") == want_default
    for route, settings in listed.items():
        assert deployed[route] == settings, route
    for route, settings in deployed.items():
        assert route in listed or settings == want_default, f"{route} is not in the table"


def test_the_jwt_authorizer_trusts_only_this_user_pool_and_its_web_client(cfn):
    (api,) = of_type(cfn, "AWS::ApiGatewayV2::Api").values()
    scheme = api["Properties"]["Body"]["components"]["securitySchemes"]["CognitoJwt"]
    authorizer = scheme["x-amazon-apigateway-authorizer"]
    assert authorizer["type"] == "jwt"
    assert authorizer["identitySource"] == "$request.header.Authorization"
    jwt = authorizer["jwtConfiguration"]
    assert jwt["issuer"] == {
        "Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"
    }
    assert jwt["audience"] == [{"Ref": "UserPoolClient"}]


# ---------------------------------------------------------------- least privilege


def statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    """Every inline policy statement of a role; both branches of a conditional one."""
    found: list[dict[str, Any]] = []
    for policy in role["Properties"].get("Policies", []):
        for st in as_list(policy["PolicyDocument"]["Statement"]):
            branches = st["Fn::If"][1:] if "Fn::If" in st else [st]
            found += [b for b in branches if b != {"Ref": "AWS::NoValue"}]
    return found


def test_function_roles_name_their_resources_and_actions(cfn):
    functions = of_type(cfn, "AWS::Lambda::Function")
    assert set(functions) == {
        "ApiFunction",
        "PostConfirmationFunction",
        "HintsFunction",
        "NotifierFunction",
        "MailFeedbackFunction",
        "UnsubscribeFunction",
        "ExpiryFunction",
    }
    stream_readers = {
        m["Properties"]["FunctionName"]["Ref"]
        for m in of_type(cfn, "AWS::Lambda::EventSourceMapping").values()
    }
    for logical_id, fn in functions.items():
        role_id = fn["Properties"]["Role"]["Fn::GetAtt"][0]
        role = cfn["Resources"][role_id]
        allowed = set(LAMBDA_MANAGED_POLICIES)
        if "VpcConfig" in fn["Properties"]:
            allowed.add(VPC_POLICY)
        if logical_id in stream_readers:
            allowed.add(STREAM_POLICY)
        assert set(role["Properties"].get("ManagedPolicyArns", [])) <= allowed, logical_id
        assert statements(role), f"{logical_id} has no inline policy"
        for st in statements(role):
            assert st["Effect"] == "Allow"
            for action in as_list(st["Action"]):
                assert "*" not in action, f"{logical_id}: wildcard action {action}"
            for resource in as_list(st["Resource"]):
                assert resource != "*", f"{logical_id}: {st['Action']} on every resource"
                # Suffix patterns on a named resource (e.g. the table's indexes) are fine.
                if isinstance(resource, str):
                    assert resource.startswith("arn:") and not resource.endswith(":*"), resource


def test_no_role_grants_wildcard_actions_or_resources_beyond_what_aws_cannot_scope(cfn):
    for logical_id, role in of_type(cfn, "AWS::IAM::Role").items():
        for st in statements(role):
            actions = set(as_list(st["Action"]))
            assert not any("*" in a for a in actions), f"{logical_id}: {actions}"
            if "*" in as_list(st["Resource"]):
                assert actions <= UNSCOPABLE_ACTIONS, f"{logical_id}: {actions} on *"


def test_the_expiry_job_runs_hourly_and_never_scans_or_deletes(cfn):
    (schedule,) = [
        r
        for r in of_type(cfn, "AWS::Scheduler::Schedule").values()
        if r["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": ["ExpiryFunction", "Arn"]}
    ]
    assert schedule["Properties"]["ScheduleExpression"] == "rate(1 hour)"
    role = cfn["Resources"]["ExpiryFunctionRole"]
    actions = {a for st in statements(role) for a in as_list(st["Action"])}
    assert "dynamodb:Scan" not in actions and "dynamodb:DeleteItem" not in actions
    assert actions >= {"dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"}


def test_the_post_confirmation_trigger_only_writes_user_records(cfn):
    role = cfn["Resources"]["PostConfirmationFunctionRole"]
    actions = {a for st in statements(role) for a in as_list(st["Action"])}
    assert actions <= {"dynamodb:PutItem", "dynamodb:ConditionCheckItem"}


# ---------------------------------------------------------------- the ledger survives


def test_the_ledger_table_is_retained_and_point_in_time_recoverable(cfn):
    table = cfn["Resources"]["LedgerTable"]
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    props = table["Properties"]
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True


# ---------------------------------------------------------------- state server


def test_the_load_balancer_serves_https_only_and_redirects_http(cfn):
    listeners = of_type(cfn, "AWS::ElasticLoadBalancingV2::Listener")
    by_protocol = {x["Properties"]["Protocol"]: x["Properties"] for x in listeners.values()}
    assert set(by_protocol) == {"HTTPS", "HTTP"}
    https = by_protocol["HTTPS"]
    assert https["Port"] == 443
    assert https["Certificates"] == [{"CertificateArn": {"Ref": "CertificateArn"}}]
    assert re.match(r"ELBSecurityPolicy-TLS13-1-2", https["SslPolicy"])
    assert [a["Type"] for a in https["DefaultActions"]] == ["forward"]
    (redirect,) = by_protocol["HTTP"]["DefaultActions"]
    assert redirect["Type"] == "redirect"
    assert redirect["RedirectConfig"] == {
        "Protocol": "HTTPS",
        "Port": "443",
        "StatusCode": "HTTP_301",
    }
    # No listener rule may forward plain HTTP to the tasks.
    assert not of_type(cfn, "AWS::ElasticLoadBalancingV2::ListenerRule")


def test_the_tasks_and_redis_accept_traffic_only_from_their_clients(cfn):
    groups = cfn["Resources"]
    (task_in,) = groups["TaskSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert task_in["SourceSecurityGroupId"] == {"Ref": "AlbSecurityGroup"}
    assert (task_in["FromPort"], task_in["ToPort"]) == (8000, 8000)
    redis_in = groups["RedisSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert {(r["SourceSecurityGroupId"]["Ref"], r["FromPort"], r["ToPort"]) for r in redis_in} == {
        ("TaskSecurityGroup", 6379, 6379),
        ("HintsFunctionSecurityGroup", 6379, 6379),
    }
    assert "SecurityGroupIngress" not in groups["HintsFunctionSecurityGroup"]["Properties"]
    # The ALB's default allow-all egress is replaced: it talks to the tasks only.
    alb_out = groups["AlbSecurityGroup"]["Properties"]["SecurityGroupEgress"]
    assert [r["CidrIp"] for r in alb_out] == ["127.0.0.1/32"]
    extra = of_type(cfn, "AWS::EC2::SecurityGroupEgress")
    alb_extra = [
        r for r in extra.values() if r["Properties"]["GroupId"] == {"Ref": "AlbSecurityGroup"}
    ]
    assert [r["Properties"]["DestinationSecurityGroupId"] for r in alb_extra] == [
        {"Ref": "TaskSecurityGroup"}
    ]


def test_the_target_group_is_sticky_and_checks_reflex_health(cfn):
    (tg,) = of_type(cfn, "AWS::ElasticLoadBalancingV2::TargetGroup").values()
    props = tg["Properties"]
    assert props["HealthCheckPath"] in ("/_health", "/ping")
    attrs = {a["Key"]: a["Value"] for a in props["TargetGroupAttributes"]}
    assert attrs["stickiness.enabled"] == "true"


def dockerfile_user() -> str:
    users = re.findall(r"^USER\s+(\S+)", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    assert users, "the Dockerfile sets no USER: the container would run as root"
    return users[-1]


def test_the_state_server_runs_as_a_non_root_user(cfn):
    image_user = dockerfile_user()
    assert image_user.split(":")[0] not in ("root", "0")
    (task,) = of_type(cfn, "AWS::ECS::TaskDefinition").values()
    (container,) = task["Properties"]["ContainerDefinitions"]
    assert container["User"] == image_user
    assert container.get("Privileged") is False


def test_the_front_end_is_the_only_origin_the_state_server_accepts(cfn):
    (task,) = of_type(cfn, "AWS::ECS::TaskDefinition").values()
    (container,) = task["Properties"]["ContainerDefinitions"]
    env = {e["Name"]: e["Value"] for e in container["Environment"] if "Name" in e}
    # The web app's own name, from parameters: a sibling of the state server under one site.
    app_origin = {"Fn::Sub": "https://${AppSubdomain}.${SiteDomain}"}
    assert env["REFLEX_CORS_ALLOWED_ORIGINS"] == app_origin
    assert env["REFLEX_DEPLOY_URL"] == app_origin
    for name in ("EPOINT_API_URL", "EPOINT_USER_POOL_ID", "EPOINT_CLIENT_ID", "AWS_REGION"):
        assert name in env, f"the state server needs {name}"


def task_environment(view: dict[str, Any]) -> dict[str, Any]:
    (task,) = of_type(view, "AWS::ECS::TaskDefinition").values()
    (container,) = task["Properties"]["ContainerDefinitions"]
    return {e["Name"]: e["Value"] for e in container["Environment"]}


# ---------------------------------------------------------------- accounts


def pool_as_deployed(view: dict[str, Any]) -> dict[str, Any]:
    (pool,) = of_type(view, "AWS::Cognito::UserPool").values()
    return pool["Properties"]


def test_two_step_sign_in_is_offered_with_an_authenticator_app_only(stage_view):
    pool = pool_as_deployed(stage_view("prod"))
    # Optional: customers choose; owners are prompted to turn it on (the merchant home page).
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]  # no SMS: no phone numbers, no SIM swaps


def test_an_email_changes_only_once_the_new_address_is_confirmed(stage_view):
    view = stage_view("prod")
    pool = pool_as_deployed(view)
    assert pool["UserAttributeUpdateSettings"] == {
        "AttributesRequireVerificationBeforeUpdate": ["email"]
    }
    (client,) = of_type(view, "AWS::Cognito::UserPoolClient").values()
    write = set(client["Properties"]["WriteAttributes"])
    # Cognito refuses a client that cannot write a required attribute, or that writes a
    # verification flag (which only a code may set).
    required = {a["Name"] for a in pool["Schema"] if a.get("Required")}
    assert required <= write
    assert not write & {"email_verified", "phone_number_verified", "sub"}


def test_threat_protection_is_a_stage_parameter_and_needs_the_plus_plan(stage_view):
    default = pool_as_deployed(stage_view("prod"))
    assert "UserPoolAddOns" not in default and default["UserPoolTier"] == "ESSENTIALS"
    for mode in ("AUDIT", "ENFORCED"):
        pool = pool_as_deployed(stage_view("prod", ThreatProtection=mode))
        assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": {"Ref": "ThreatProtection"}}
        assert pool["UserPoolTier"] == "PLUS"


def test_the_pools_email_goes_through_the_mail_identity_in_prod(stage_view):
    # Cognito's own sender has a small daily cap that scripted sign-ups could use up: prod
    # sends the codes through the one SES identity the notifier sends from too.
    ses = pool_as_deployed(stage_view("prod"))["EmailConfiguration"]
    assert ses["EmailSendingAccount"] == "DEVELOPER"
    identity = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${MailIdentity}"
    assert ses["SourceArn"] == {"Fn::Sub": identity}
    assert ses["From"] == {"Fn::Sub": "ePoint <${MailFrom}>"}
    # The notifier may send as exactly that identity.
    notifier = granted(stage_view("prod"), "NotifierFunctionRole")["ses:SendEmail"]
    assert any(identity in json.dumps(st["Resource"]) for st in notifier)
    # dev: a dev account's identity usually stays in the SES sandbox, where the codes would
    # reach only verified addresses; Cognito's sender serves a few testers.
    assert pool_as_deployed(stage_view("dev"))["EmailConfiguration"] == {
        "EmailSendingAccount": "COGNITO_DEFAULT"
    }


def test_the_state_server_counts_callers_by_the_address_the_load_balancer_saw(stage_view):
    # The ALB appends the caller's address to X-Forwarded-For: one trusted hop, so a caller
    # cannot pick their own address for the per-client limits by sending the header.
    assert (
        task_environment(stage_view("prod", StateServerImageTag="abc"))["REFLEX_TRUSTED_PROXY_HOPS"]
        == "1"
    )


def test_prod_runs_at_least_two_tasks_sharing_state_in_redis(stage_view):
    prod = stage_view("prod", StateServerImageTag="abc123")
    (target,) = of_type(prod, "AWS::ApplicationAutoScaling::ScalableTarget").values()
    assert target["Properties"]["MinCapacity"] == 2
    assert target["Properties"]["MaxCapacity"] > 2
    (redis,) = of_type(prod, "AWS::ElastiCache::ReplicationGroup").values()
    assert redis["Properties"]["TransitEncryptionEnabled"] is True
    assert "REDIS_HOST" in task_environment(prod)
    (policy,) = of_type(prod, "AWS::ApplicationAutoScaling::ScalingPolicy").values()
    metric = policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    assert metric["PredefinedMetricSpecification"]["PredefinedMetricType"] == (
        "ECSServiceAverageCPUUtilization"
    )


def test_dev_runs_one_task_and_one_redis_node_for_the_hints(stage_view):
    dev = stage_view("dev", StateServerImageTag="abc123")
    (target,) = of_type(dev, "AWS::ApplicationAutoScaling::ScalableTarget").values()
    assert target["Properties"]["MinCapacity"] == target["Properties"]["MaxCapacity"] == 1
    # The hints need one channel every state server hears, in every stage: one node in dev.
    (redis,) = of_type(dev, "AWS::ElastiCache::ReplicationGroup").values()
    props = redis["Properties"]
    assert props["NumCacheClusters"] == 1 and props["AutomaticFailoverEnabled"] is False
    assert props["TransitEncryptionEnabled"] is True and props["AtRestEncryptionEnabled"] is True
    assert "REDIS_HOST" in task_environment(dev)


def test_no_task_is_started_before_an_image_was_pushed(stage_view):
    first = stage_view("prod")  # StateServerImageTag defaults to ""
    (service,) = of_type(first, "AWS::ECS::Service").values()
    assert service["Properties"]["DesiredCount"] == 0


# ---------------------------------------------------------------- logs, alarms


def test_every_log_group_expires_and_every_writer_uses_one_of_them(cfn):
    groups = of_type(cfn, "AWS::Logs::LogGroup")
    for logical_id, group in groups.items():
        assert group["Properties"].get("RetentionInDays"), f"{logical_id} keeps logs forever"
    # Lambda would otherwise create /aws/lambda/<name> itself, without retention.
    for logical_id, fn in of_type(cfn, "AWS::Lambda::Function").items():
        target = fn["Properties"].get("LoggingConfig", {}).get("LogGroup")
        assert target and target["Ref"] in groups, f"{logical_id} logs to a group we do not own"
    (task,) = of_type(cfn, "AWS::ECS::TaskDefinition").values()
    for container in task["Properties"]["ContainerDefinitions"]:
        group = container["LogConfiguration"]["Options"]["awslogs-group"]
        assert group["Ref"] in groups
    stages = of_type(cfn, "AWS::ApiGatewayV2::Stage")
    assert stages, "the HTTP API has no stage with access logs"
    for logical_id, stage in stages.items():
        dest = stage["Properties"]["AccessLogSettings"]["DestinationArn"]
        assert dest["Fn::GetAtt"][0] in groups, logical_id


def alarmed_metrics(alarm: dict[str, Any]) -> set[str]:
    props = alarm["Properties"]
    if "MetricName" in props:
        return {f"{props['Namespace']}/{props['MetricName']}"}
    return {
        f"{m['MetricStat']['Metric']['Namespace']}/{m['MetricStat']['Metric']['MetricName']}"
        for m in props["Metrics"]
        if "MetricStat" in m
    }


def test_alarms_cover_errors_throttles_and_unhealthy_hosts_and_notify_the_topic(cfn):
    alarms = of_type(cfn, "AWS::CloudWatch::Alarm")
    watched: set[str] = set()
    for logical_id, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}], logical_id
        watched |= alarmed_metrics(alarm)
    assert {
        "AWS/ApiGateway/5xx",
        "AWS/Lambda/Errors",
        "AWS/Lambda/Throttles",
        "ePoint/ApiThrottled",
        "AWS/DynamoDB/SystemErrors",
        "AWS/DynamoDB/ReadThrottleEvents",
        "AWS/DynamoDB/WriteThrottleEvents",
        "AWS/ApplicationELB/UnHealthyHostCount",
        "ePoint/FailedCodeLookups",
        "AWS/WAFV2/BlockedRequests",
    } <= watched
    errors_alarmed = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Ref"]
        for alarm in alarms.values()
        if alarm["Properties"].get("MetricName") == "Errors"
    }
    assert errors_alarmed == set(of_type(cfn, "AWS::Lambda::Function"))
    assert of_type(cfn, "AWS::CloudWatch::Dashboard")


# ---------------------------------------------------------------- front end


def amplify_headers(cfn: dict[str, Any]) -> dict[str, str]:
    (app,) = of_type(cfn, "AWS::Amplify::App").values()
    return amplify_custom_headers(app)


def test_the_web_app_is_served_under_its_own_name_beside_the_state_server(cfn, sam_template):
    """Sessions need one site: Amplify's default *.amplifyapp.com name is another one."""
    (domain,) = of_type(cfn, "AWS::Amplify::Domain").values()
    assert domain["Properties"]["DomainName"] == {"Ref": "SiteDomain"}
    (sub,) = domain["Properties"]["SubDomainSettings"]
    assert sub["Prefix"] == {"Ref": "AppSubdomain"}
    outputs = sam_template["Outputs"]
    assert outputs["FrontendUrl"]["Value"] == {"Fn::Sub": "https://${AppSubdomain}.${SiteDomain}"}


def test_the_web_app_is_served_with_security_headers(cfn):
    headers = amplify_headers(cfn)
    csp = dict(
        (d.split()[0], d.split()[1:]) for d in headers["Content-Security-Policy"].split("; ")
    )
    assert csp["default-src"] == ["'self'"]
    # Scripts only from the app's own files (the export's inline scripts are moved to files),
    # and no eval; WebAssembly for the scanner's decoder.
    assert csp["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    # Only the app itself and its state server may be reached from the page.
    assert csp["connect-src"] == [
        "'self'",
        "https://${StateServerDomain}",
        "wss://${StateServerDomain}",
    ]
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(headers["Strict-Transport-Security"].split("=")[1].split(";")[0]) >= 31536000
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_the_export_is_built_against_the_state_servers_public_url(cfn):
    (app,) = of_type(cfn, "AWS::Amplify::App").values()
    env = {e["Name"]: e["Value"] for e in app["Properties"]["EnvironmentVariables"]}
    assert env["REFLEX_API_URL"] == {"Fn::Sub": "https://${StateServerDomain}"}
    spec = yaml.safe_load(app["Properties"]["BuildSpec"])
    assert spec["frontend"]["artifacts"]["baseDirectory"] == ".web/build/client"
    # Amplify and scripts/deploy build the export with the same script.
    assert "scripts/export-frontend" in spec["frontend"]["phases"]["build"]["commands"]
    assert os.access(ROOT / "scripts/export-frontend", os.X_OK)
    rules = app["Properties"]["CustomRules"]
    assert {"Source": "/<*>", "Target": "/404.html", "Status": "404"} in rules


# ---------------------------------------------------------------- events off the write path


def stream_mapping(cfn: dict[str, Any], function: str) -> dict[str, Any]:
    (mapping,) = [
        m["Properties"]
        for m in of_type(cfn, "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": function}
    ]
    return mapping


def hints_mapping(cfn: dict[str, Any]) -> dict[str, Any]:
    return stream_mapping(cfn, "HintsFunction")


def test_the_ledger_table_streams_both_images_of_every_change(cfn):
    props = cfn["Resources"]["LedgerTable"]["Properties"]
    assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_the_hints_function_reads_the_stream_at_least_once_and_gives_up_visibly(cfn):
    from backend import config

    mapping = hints_mapping(cfn)
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["LedgerTable", "StreamArn"]}
    assert mapping["StartingPosition"] == "LATEST"
    assert mapping["MaximumBatchingWindowInSeconds"] == 0  # a customer waits at the till
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert 1 <= mapping["MaximumRetryAttempts"] <= 10
    # No record is redelivered after its dedup key lapsed (invariant 12).
    assert 60 <= mapping["MaximumRecordAgeInSeconds"] < config.HINT_DEDUP_TTL_SECONDS
    destination = mapping["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == {"Fn::GetAtt": ["HintsFailedQueue", "Arn"]}
    queue = cfn["Resources"]["HintsFailedQueue"]["Properties"]
    assert queue["SqsManagedSseEnabled"] is True and queue["MessageRetentionPeriod"] == 1209600


def test_the_hints_filter_passes_new_visits_ledger_entries_and_typed_code_requests_only(cfn):
    from localcloud.streams import matches

    (pattern,) = [json.loads(f["Pattern"]) for f in hints_mapping(cfn)["FilterCriteria"]["Filters"]]

    def record(event: str, sk: str) -> dict[str, Any]:
        return {"eventName": event, "dynamodb": {"NewImage": {"sk": {"S": sk}}}}

    assert matches(pattern, record("INSERT", "VISIT#v_1"))
    assert matches(pattern, record("INSERT", "TX#t_1"))
    assert matches(pattern, record("INSERT", "APPROVAL#a_1"))  # a till typed the code
    for event, sk in [
        ("MODIFY", "TX#t_1"),  # a refund marks the original: the refund's own entry hints
        ("MODIFY", "VISIT#v_1"),  # an earn appends to the visit: its ledger entry hints
        ("INSERT", "MEMBER#m_1"),
        ("INSERT", "PROFILE"),
        ("REMOVE", "VISIT#v_1"),
    ]:
        assert not matches(pattern, record(event, sk)), (event, sk)


def test_the_hints_function_reaches_only_redis_and_the_redis_token(cfn):
    fn = cfn["Resources"]["HintsFunction"]["Properties"]
    assert fn["VpcConfig"]["SubnetIds"] == {"Ref": "TaskSubnetIds"}
    assert fn["VpcConfig"]["SecurityGroupIds"] == [{"Ref": "HintsFunctionSecurityGroup"}]
    env = fn["Environment"]["Variables"]
    assert env["HINTS_REDIS_HOST"] == {"Fn::GetAtt": ["Redis", "PrimaryEndPoint.Address"]}
    assert env["HINTS_REDIS_AUTH_ARN"] == {"Ref": "RedisAuthToken"}
    role = cfn["Resources"]["HintsFunctionRole"]
    granted = {
        (a, json.dumps(st["Resource"])) for st in statements(role) for a in as_list(st["Action"])
    }
    assert granted == {
        ("secretsmanager:GetSecretValue", json.dumps({"Ref": "RedisAuthToken"})),
        ("sqs:SendMessage", json.dumps({"Fn::GetAtt": ["HintsFailedQueue", "Arn"]})),
    }
    out = cfn["Resources"]["HintsFunctionToRedisEgress"]["Properties"]
    assert out["DestinationSecurityGroupId"] == {"Ref": "RedisSecurityGroup"}
    assert (out["FromPort"], out["ToPort"]) == (6379, 6379)
    (https,) = cfn["Resources"]["HintsFunctionSecurityGroup"]["Properties"]["SecurityGroupEgress"]
    assert (https["FromPort"], https["ToPort"]) == (443, 443)


def test_without_a_nat_the_token_comes_through_an_endpoint_only_the_hints_function_uses(
    stage_view,
):
    no_nat = stage_view("dev", TaskPublicIp="ENABLED")
    (endpoint,) = of_type(no_nat, "AWS::EC2::VPCEndpoint").values()
    props = endpoint["Properties"]
    # No private DNS: nothing else in a shared VPC is rerouted through it.
    assert props["PrivateDnsEnabled"] is False
    (statement,) = props["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"AWS": {"Fn::GetAtt": ["HintsFunctionRole", "Arn"]}}
    assert statement["Action"] == "secretsmanager:GetSecretValue"
    (entry,) = no_nat["Resources"]["SecretsEndpointSecurityGroup"]["Properties"][
        "SecurityGroupIngress"
    ]
    assert entry["SourceSecurityGroupId"] == {"Ref": "HintsFunctionSecurityGroup"}
    env = no_nat["Resources"]["HintsFunction"]["Properties"]["Environment"]["Variables"]
    assert "SecretsEndpoint" in json.dumps(env["SECRETS_MANAGER_URL"])
    with_nat = stage_view("prod", TaskPublicIp="DISABLED")
    assert not of_type(with_nat, "AWS::EC2::VPCEndpoint")
    env = with_nat["Resources"]["HintsFunction"]["Properties"]["Environment"]["Variables"]
    assert env["SECRETS_MANAGER_URL"] == ""


def test_the_hints_lag_and_what_they_gave_up_on_raise_alarms(cfn):
    alarms = of_type(cfn, "AWS::CloudWatch::Alarm")
    watched = set().union(*(alarmed_metrics(a) for a in alarms.values()))
    assert {"AWS/Lambda/IteratorAge", "AWS/SQS/ApproximateNumberOfMessagesVisible"} <= watched


# ---------------------------------------------------------------- abuse (issue 12)


def test_failed_typed_codes_are_alarmed_on_the_metric_the_api_emits(cfn):
    (alarm,) = [
        a
        for a in of_type(cfn, "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("MetricName") == "FailedCodeLookups"
    ]
    props = alarm["Properties"]
    # Powertools publishes in POWERTOOLS_METRICS_NAMESPACE with the dimension service=
    # POWERTOOLS_SERVICE_NAME: the alarm must name exactly that metric, or it never fires.
    api = of_type(cfn, "AWS::Lambda::Function")["ApiFunction"]
    variables = api["Properties"]["Environment"]["Variables"]
    assert props["Namespace"] == variables["POWERTOOLS_METRICS_NAMESPACE"]
    assert props["Dimensions"] == [
        {"Name": "service", "Value": variables["POWERTOOLS_SERVICE_NAME"]}
    ]
    emitting = (ROOT / "backend" / "routers" / "visits.py").read_text()
    assert 'name="FailedCodeLookups"' in emitting
    assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_the_state_servers_load_balancer_has_per_ip_rate_limits(cfn):
    (association,) = of_type(cfn, "AWS::WAFv2::WebACLAssociation").values()
    assert association["Properties"]["ResourceArn"] == {"Ref": "LoadBalancer"}
    acl_id = association["Properties"]["WebACLArn"]["Fn::GetAtt"][0]
    acl = cfn["Resources"][acl_id]["Properties"]
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    rates = {
        rule["Name"]: rule for rule in acl["Rules"] if "RateBasedStatement" in rule["Statement"]
    }
    assert set(rates) == {"ConnectionsPerIp", "RequestsPerIp"}
    for rule in rates.values():
        statement = rule["Statement"]["RateBasedStatement"]
        assert statement["AggregateKeyType"] == "IP"
        assert 100 <= statement["Limit"] <= 10_000 and statement["EvaluationWindowSec"] == 300
        response = rule["Action"]["Block"]["CustomResponse"]
        assert response["ResponseCode"] == 429
        assert {"Name": "Retry-After", "Value": "300"} in response["ResponseHeaders"]
        body = acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]
        assert '"code":"too_many_requests"' in body["Content"]
    scope = rates["ConnectionsPerIp"]["Statement"]["RateBasedStatement"]["ScopeDownStatement"]
    assert scope["ByteMatchStatement"]["SearchString"] == "/_event"


def test_waf_logs_never_hold_the_session_cookie(cfn):
    (logging,) = of_type(cfn, "AWS::WAFv2::LoggingConfiguration").values()
    assert {"SingleHeader": {"Name": "cookie"}} in logging["Properties"]["RedactedFields"]
    (group_id,) = [
        k
        for k, v in of_type(cfn, "AWS::Logs::LogGroup").items()
        if str(v["Properties"].get("LogGroupName", {})).count("aws-waf-logs-")
    ]
    assert "RetentionInDays" in cfn["Resources"][group_id]["Properties"]


# ---------------------------------------------------------------- email (README, "Email")


def granted(cfn: dict[str, Any], role_id: str) -> dict[str, list[dict[str, Any]]]:
    """action -> the statements granting it (resource and condition) in one role."""
    found: dict[str, list[dict[str, Any]]] = {}
    for st in statements(cfn["Resources"][role_id]):
        for action in as_list(st["Action"]):
            found.setdefault(action, []).append(st)
    return found


def leading_keys(statement: dict[str, Any]) -> list[str] | None:
    condition = statement.get("Condition") or {}
    return (condition.get("ForAllValues:StringLike") or {}).get("dynamodb:LeadingKeys")


def test_the_notifier_reads_the_stream_at_least_once_and_gives_up_visibly(cfn):
    from backend import config

    mapping = stream_mapping(cfn, "NotifierFunction")
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["LedgerTable", "StreamArn"]}
    assert mapping["StartingPosition"] == "LATEST"  # a new notifier emails no history
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    # No record comes back after its email's dedup claim lapsed (invariant 12).
    assert mapping["MaximumRecordAgeInSeconds"] < config.MAIL_DEDUP_TTL_SECONDS
    destination = mapping["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == {"Fn::GetAtt": ["MailFailedQueue", "Arn"]}


def test_the_notifiers_filter_passes_what_an_email_follows_from(cfn):
    from localcloud.streams import matches

    patterns = [
        json.loads(f["Pattern"])
        for f in stream_mapping(cfn, "NotifierFunction")["FilterCriteria"]["Filters"]
    ]

    def passes(event: str, pk: str, sk: str) -> bool:
        image = {"pk": {"S": pk}, "sk": {"S": sk}}
        record = {"eventName": event, "dynamodb": {"NewImage": image}}
        return any(matches(p, record) for p in patterns)

    assert passes("INSERT", "MERCHANT#m_1", "TX#t_1")  # a receipt
    assert passes("INSERT", "MERCHANT#m_1", "INVITE#a@example.com")  # an invitation
    assert passes("INSERT", "DELETION#u_1", "ACCOUNT")  # a deletion's confirmation
    assert passes("INSERT", "USER#u_1", "REMINDER#m_1")  # a first reminder
    assert passes("MODIFY", "USER#u_1", "REMINDER#m_1")  # a later week's
    for event, pk, sk in [
        ("MODIFY", "MERCHANT#m_1", "TX#t_1"),  # a refund marks its original: no 2nd receipt
        ("INSERT", "MERCHANT#m_1", "VISIT#v_1"),
        ("INSERT", "SENT#MERCHANT#m_1|TX#t_1", "receipt"),  # its own claims
        ("INSERT", "USER#u_1", "PROFILE"),
        ("REMOVE", "MERCHANT#m_1", "INVITE#a@example.com"),
    ]:
        assert not passes(event, pk, sk), (event, pk, sk)


def test_the_notifier_writes_only_its_claims_and_reminders_and_sends_only_as_the_identity(cfn):
    rights = granted(cfn, "NotifierFunctionRole")
    assert set(rights) == {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "dynamodb:UpdateItem",
        "ses:SendEmail",
        "secretsmanager:GetSecretValue",
        "sqs:SendMessage",
    }
    for action in ("dynamodb:PutItem", "dynamodb:DeleteItem"):
        assert [leading_keys(st) for st in rights[action]] == [["SENT#*"]], action
    assert [leading_keys(st) for st in rights["dynamodb:UpdateItem"]] == [["USER#*"]]
    (send,) = rights["ses:SendEmail"]
    resources = json.dumps(send["Resource"])
    assert "identity/${MailIdentity}" in resources
    assert "configuration-set/${MailConfigurationSet}" in resources
    (secret,) = rights["secretsmanager:GetSecretValue"]
    assert secret["Resource"] == {"Ref": "UnsubscribeSigningSecret"}  # not the QR key
    env = cfn["Resources"]["NotifierFunction"]["Properties"]["Environment"]["Variables"]
    assert env["MAIL_CONFIGURATION_SET"] == {"Ref": "MailConfigurationSet"}


def test_bounces_and_complaints_reach_the_function_that_suppresses_addresses(cfn):
    (destination,) = of_type(cfn, "AWS::SES::ConfigurationSetEventDestination").values()
    props = destination["Properties"]
    assert props["ConfigurationSetName"] == {"Ref": "MailConfigurationSet"}
    target = props["EventDestination"]
    assert set(target["MatchingEventTypes"]) == {"bounce", "complaint"}
    assert target["SnsDestination"]["TopicARN"] == {"Ref": "MailFeedbackTopic"}
    (subscription,) = [
        s["Properties"]
        for s in of_type(cfn, "AWS::SNS::Subscription").values()
        if s["Properties"]["TopicArn"] == {"Ref": "MailFeedbackTopic"}
    ]
    assert subscription["Endpoint"] == {"Fn::GetAtt": ["MailFeedbackFunction", "Arn"]}
    # Only SES, for this account's configuration set, may publish on the topic.
    (policy,) = of_type(cfn, "AWS::SNS::TopicPolicy").values()
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "ses.amazonaws.com"}
    assert statement["Condition"]["StringEquals"]["AWS:SourceAccount"] == {"Ref": "AWS::AccountId"}
    # The feedback function writes address records and nothing else.
    rights = granted(cfn, "MailFeedbackFunctionRole")
    assert set(rights) == {"dynamodb:UpdateItem", "sqs:SendMessage"}
    assert [leading_keys(st) for st in rights["dynamodb:UpdateItem"]] == [["EMAIL#*"]]
    config_set = cfn["Resources"]["MailConfigurationSet"]["Properties"]
    assert config_set["SuppressionOptions"]["SuppressedReasons"] == ["BOUNCE", "COMPLAINT"]


def test_the_unsubscribe_page_can_only_turn_mail_off(cfn):
    """The one public route that writes: its own function, no ledger rights, no QR key."""
    operations = http_api_operations(cfn)
    for route in ("GET /unsubscribe", "POST /unsubscribe"):
        uri = json.dumps(operations[route]["x-amazon-apigateway-integration"]["uri"])
        assert "UnsubscribeFunction" in uri and "ApiFunction" not in uri, route
    rights = granted(cfn, "UnsubscribeFunctionRole")
    assert set(rights) == {
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "secretsmanager:GetSecretValue",
    }
    assert [leading_keys(st) for st in rights["dynamodb:UpdateItem"]] == [["USER#*", "EMAIL#*"]]
    (secret,) = rights["secretsmanager:GetSecretValue"]
    assert secret["Resource"] == {"Ref": "UnsubscribeSigningSecret"}

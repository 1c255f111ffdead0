"""The events AWS hands the Lambda handlers: API Gateway HTTP API (payload 2.0) and Cognito's
PostConfirmation, as the in-process transport of `tests.support.world` sends them."""

from __future__ import annotations

import json
import uuid
from typing import Any


class LambdaContext:
    """The few context fields Powertools reads."""

    function_name = "ApiFunction"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:ApiFunction"
    aws_request_id = "unit-test"

    def get_remaining_time_in_millis(self) -> int:
        """A fresh invocation of a 300 s function (the scheduled jobs read it)."""
        return 300_000


def http_event(
    method: str,
    path: str,
    *,
    user: str | None,
    body: Any = None,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    signed_in_at: int | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event, as the JWT authorizer passes it on.

    `signed_in_at`: the token's `auth_time` (when the user last typed their password);
    by default the backend clock's now, a fresh sign-in.
    """
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    all_headers = {
        "content-type": "application/json",
        **{k.lower(): v for k, v in (headers or {}).items()},
    }
    request_context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "unit",
        "domainName": "unit.execute-api.eu-west-1.amazonaws.com",
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": "pytest",
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": f"{method} {path}",
        "stage": "$default",
        "time": "22/Nov/2026:10:00:00 +0000",
        "timeEpoch": 1795341600000,
    }
    if user:
        from backend import clock

        auth_time = clock.now_s() if signed_in_at is None else signed_in_at
        request_context["authorizer"] = {
            "jwt": {
                # As API Gateway passes them: every claim a string.
                "claims": {
                    "sub": user,
                    "username": user,
                    "scope": "aws.cognito.signin.user.admin",
                    "auth_time": str(auth_time),
                },
                "scopes": None,
            }
        }
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
        "queryStringParameters": query or None,
        "headers": all_headers,
        "requestContext": request_context,
        "body": text,
        "isBase64Encoded": False,
    }


def post_confirmation_event(attributes: dict[str, str]) -> dict[str, Any]:
    """What Cognito sends the PostConfirmation trigger once a user confirmed the emailed code."""
    return {
        "triggerSource": "PostConfirmation_ConfirmSignUp",
        "request": {"userAttributes": attributes},
    }

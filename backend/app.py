"""The ePoint HTTP API: one Powertools resolver, its routers, and the error contract.

Every failure leaves as `{"error": {"code", "message"}}` (docs/api.md); domain errors carry
their own status, Powertools' validation errors become 422 (400 for malformed JSON).
"""

import functools
import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.logging import correlation_paths

from backend import config
from backend.logic import errors
from backend.observability import log_metrics, logger
from backend.routers import claims, customer, identity, members, merchants, staff, visits

app = APIGatewayHttpResolver(enable_validation=True)
app.include_router(customer.router)
app.include_router(merchants.router)
app.include_router(members.router)
app.include_router(claims.router)
app.include_router(staff.router)
app.include_router(visits.router)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """The one error body of the API."""
    return Response(
        status_code=status,
        content_type="application/json",
        body={"error": {"code": code, "message": message}},
        headers=headers,
    )


@app.exception_handler(errors.DomainError)
def _domain_error(error: errors.DomainError) -> Response:
    headers = None
    if isinstance(error, errors.TooManyRequests):
        headers = {"Retry-After": str(error.retry_after)}
    return error_response(error.status, error.code, error.message, headers)


def _describe(detail: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in detail.get("loc", ()) if p not in ("body", "query", "path"))
    message = str(detail.get("msg", "is not valid")).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


@app.exception_handler(RequestValidationError)
def _validation_error(error: RequestValidationError) -> Response:
    details = error.errors()
    if any(d.get("type") == "json_invalid" for d in details):
        return _domain_error(errors.MalformedJson())
    messages = "; ".join(_describe(d) for d in details[:3])
    return _domain_error(errors.ValidationFailed(messages or None))


@app.exception_handler(RequestUnsupportedContentType)
def _not_json(_: RequestUnsupportedContentType) -> Response:
    return _domain_error(errors.NotJson())


@app.not_found
def _not_found(_: NotFoundError) -> Response:
    return _domain_error(errors.NotFound("There is no such route."))


@app.exception_handler(Exception)
def _unexpected(error: Exception) -> Response:
    # A bug, not bad input: log it with the request's context, answer in the API's shape.
    logger.exception("unhandled error")
    return error_response(500, "internal_error", "Something went wrong on our side. Try again.")


@app.get("/openapi.json")
def openapi_document():  # -> Response (unannotated: Powertools would model it)
    """The OpenAPI document of this API, generated from the routes (no auth)."""
    return Response(status_code=200, content_type="application/json", body=_document())


@functools.cache
def _document() -> str:
    # Built on the first request, not at import (it compiles every route's models), then
    # kept: the routes never change in a running container, and the route is public.
    return app.get_openapi_json_schema(title="ePoint API", version="1.0.0")


def _early_error(error: errors.DomainError) -> dict[str, Any]:
    """A refusal decided before routing, in the API gateway's response format."""
    return {
        "statusCode": error.status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"error": {"code": error.code, "message": error.message}}),
    }


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point (API Gateway HTTP API, payload v2)."""
    logger.append_keys(user_id=identity.sub_of(event))
    body = event.get("body") or ""
    # A base64 body is 4/3 of its bytes: compare the decoded size.
    size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode())
    if size > config.MAX_BODY_BYTES:
        return _early_error(errors.PayloadTooLarge())
    if any(
        len(segment) > config.MAX_ID_CHARS for segment in (event.get("rawPath") or "").split("/")
    ):
        # No id is that long; DynamoDB would refuse such a key (ValidationException, a 500).
        return _early_error(errors.NotFound())
    content_type = ((event.get("headers") or {}).get("content-type") or "application/json").lower()
    if body and not content_type.startswith("application/json"):
        # The API speaks JSON only; Powertools would otherwise parse forms as bodies.
        return _early_error(errors.NotJson())
    return app.resolve(event, context)

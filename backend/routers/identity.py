"""Who is calling, and their Idempotency-Key: read in one place for every route.

The HTTP API's JWT authorizer has already verified the access token; the Lambda only
reads the verified claims. Routes take `caller: CallerId`, so none can forget it.
"""

import functools
from collections.abc import Callable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Depends, Request
from aws_lambda_powertools.event_handler.openapi.params import Header

from backend.logic import errors
from backend.logic.idempotency import Idempotency, from_request


def _claims(event: dict[str, Any]) -> dict[str, Any]:
    ctx = event.get("requestContext") or {}
    return ((ctx.get("authorizer") or {}).get("jwt") or {}).get("claims") or {}


def sub_of(event: dict[str, Any]) -> str | None:
    """`requestContext.authorizer.jwt.claims.sub` of an HTTP API event, if any."""
    sub = _claims(event).get("sub")
    return sub if isinstance(sub, str) and sub else None


def signed_in_at(request: Request) -> int | None:
    """When the caller last proved their password: the token's `auth_time` (epoch seconds).

    Cognito keeps it through token refreshes, so a session kept alive by its refresh token
    still says when the password was last typed. API Gateway passes claims as strings.
    """
    value = _claims(request.resolved_event.raw_event).get("auth_time")
    try:
        return int(str(value))
    except ValueError:
        return None


SignedInAt = Annotated[int | None, Depends(signed_in_at)]


def caller_id(request: Request) -> str:
    """The signed-in user's id (`sub` of the verified access token); 401 if absent."""
    sub = sub_of(request.resolved_event.raw_event)
    if sub is None:
        raise errors.Unauthorized()
    return sub


CallerId = Annotated[str, Depends(caller_id)]


def idempotency(
    request: Request,
    caller: CallerId,
    key: Annotated[
        str | None,
        Header(
            alias="idempotency-key",
            description="Required: 8-128 characters of A-Z a-z 0-9 _ - : . (a retry reuses it).",
        ),
    ] = None,
) -> Idempotency:
    """The request's Idempotency-Key (required) with its fingerprint, scoped to the caller."""
    event = request.resolved_event
    # The Header() above puts the key in the OpenAPI document; Powertools 3.37 does not
    # inject headers into dependencies, so the value is read from the event as well.
    key = key or event.headers.get("idempotency-key") or event.headers.get("Idempotency-Key")
    return from_request(caller, key, event.http_method, event.path, event.body)


IdempotencyKey = Annotated[Idempotency, Depends(idempotency)]


def idempotent(route: Callable[..., Any]) -> Callable[..., Any]:
    """Return the stored first answer when a request repeats (the route takes `idem`).

    The effect and its record are one transaction (dal.ledger.commit); here we only turn
    "the key was already used" into the first response, or 422 for a different request.
    """

    @functools.wraps(route)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        idem: Idempotency = kwargs["idem"]
        try:
            return route(*args, **kwargs)
        except errors.IdempotentReplay as replay:
            record = replay.record
        except errors.DomainError:
            # A refusal now (visit expired, already earned...) may be a retry of a success.
            record = idem.earlier()
            if record is None:
                raise
        status, body = idem.replay(record)
        return body, status

    return wrapper

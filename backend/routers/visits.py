"""At the till: open a visit from a scan, earn, redeem, reverse (staff of this business)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from backend.logic import errors, ledger, visits
from backend.logic.limits import per_caller
from backend.models import responses as shapes
from backend.models.requests import Earn, Redeem, Reverse, VisitOpen
from backend.observability import count
from backend.routers.identity import CallerId, IdempotencyKey, idempotent

router = Router()


@router.post(
    "/merchants/<merchant_id>/visits",
    responses=shapes.answers(shapes.Visit, 201, also={202: shapes.VisitRequest}),
)
@per_caller("open_visit")
def open_visit(merchant_id: str, body: VisitOpen, caller: CallerId) -> tuple[dict, int]:
    """The QR's token opens a 10-minute visit (201); 6 typed digits ask the customer (202)."""
    if not visits.is_typed_code(body.token):
        return visits.open_visit(caller, merchant_id, body.token), 201
    try:
        return visits.request_visit(caller, merchant_id, body.token), 202
    except errors.CodeRefused:
        count_failed_code_lookup()
        raise


def count_failed_code_lookup() -> None:
    """A typed code that opened nothing (no such code, expired, used; or the customer said
    "not me"): the metric the FailedCodeLookups alarm watches (template.yaml)."""
    count(name="FailedCodeLookups")


@router.get(
    "/merchants/<merchant_id>/visit-requests/<request_id>",
    responses=shapes.answers(shapes.VisitRequest),
)
@per_caller("visit_request")
def get_visit_request(merchant_id: str, request_id: str, caller: CallerId) -> dict:
    """A typed code's request: still waiting for the customer, or the visit they allowed."""
    return visits.visit_request(caller, merchant_id, request_id)


@router.post(
    "/merchants/<merchant_id>/visits/<visit_id>/earn",
    responses=shapes.answers(shapes.BalanceChange, 201),
)
@idempotent
def earn(
    merchant_id: str, visit_id: str, body: Earn, caller: CallerId, idem: IdempotencyKey
) -> tuple[dict, int]:
    """Award points for a purchase."""
    result = ledger.earn(caller, merchant_id, visit_id, body.amount_cents, idem)
    count(name="PointsEarned", value=result["transaction"]["points"])
    return result, 201


@router.post(
    "/merchants/<merchant_id>/visits/<visit_id>/redeem",
    responses=shapes.answers(shapes.BalanceChange, 201),
)
@idempotent
def redeem(
    merchant_id: str, visit_id: str, body: Redeem, caller: CallerId, idem: IdempotencyKey
) -> tuple[dict, int]:
    """Spend points on a reward or an amount of points, or give the stamp card's reward."""
    if body.stamp_card:
        return ledger.redeem_stamp_card(caller, merchant_id, visit_id, idem), 201
    result = ledger.redeem(caller, merchant_id, visit_id, body.reward_id, body.points, idem)
    count(name="PointsRedeemed", value=-result["transaction"]["points"])
    return result, 201


@router.post(
    "/merchants/<merchant_id>/transactions/<tx_id>/reverse",
    responses=shapes.answers(shapes.Reversal, 201),
)
@idempotent
def reverse(
    merchant_id: str,
    tx_id: str,
    caller: CallerId,
    idem: IdempotencyKey,
    body: Annotated[Reverse | None, Body()] = None,
) -> tuple[dict, int]:
    """Refund: an opposite ledger entry (the body, with a reason, is optional)."""
    return ledger.reverse(caller, merchant_id, tx_id, body.reason if body else None, idem), 201

"""Receipts' claim codes: staff issue one for a sale without a scan; the customer claims it."""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from backend.logic import claims
from backend.models import responses as shapes
from backend.models.requests import Claim, ClaimCodeRequest
from backend.routers.identity import CallerId, IdempotencyKey, idempotent

router = Router()

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=2048)]


@router.post(
    "/merchants/<merchant_id>/claim-codes", responses=shapes.answers(shapes.ClaimCodeIssued, 201)
)
def issue_claim_code(
    merchant_id: str, body: ClaimCodeRequest, caller: CallerId
) -> tuple[dict, int]:
    """Staff close a sale without a scan: a code for the receipt (shown this once)."""
    return claims.issue(caller, merchant_id, body.amount_cents), 201


@router.get("/merchants/<merchant_id>/claim-codes", responses=shapes.answers(shapes.ClaimCodePage))
def list_claim_codes(
    merchant_id: str, caller: CallerId, limit: Limit = 20, cursor: Cursor = None
) -> dict:
    """The business's claim codes of the last 7 days, newest first (staff)."""
    return claims.open_codes(caller, merchant_id, limit, cursor)


@router.delete(
    "/merchants/<merchant_id>/claim-codes/<claim_id>", responses=shapes.answers(shapes.ClaimCode)
)
def void_claim_code(merchant_id: str, claim_id: str, caller: CallerId) -> dict:
    """Void an unclaimed code (the sale was refunded)."""
    return claims.void(caller, merchant_id, claim_id)


@router.post("/claims", responses=shapes.answers(shapes.BalanceChange, 201))
@idempotent
def claim(body: Claim, caller: CallerId, idem: IdempotencyKey) -> tuple[dict, int]:
    """The customer types a receipt's code: its purchase earns points on their card there."""
    return claims.claim(caller, body.code, body.merchant_id, idem), 201

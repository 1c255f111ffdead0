"""The owner's view of the business's customers: members, adjustments, exports (owner only)."""

from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from backend import config
from backend.logic import adjustments, members
from backend.models import responses as shapes
from backend.models.requests import Adjustment
from backend.routers.identity import CallerId, IdempotencyKey, idempotent

router = Router()

ExportLimit = Annotated[int, Query(ge=1, le=config.EXPORT_PAGE_MAX)]
Cursor = Annotated[str | None, Query(max_length=2048)]
# Days of this millennium: a ledger has nothing before it, and no id can be made after it.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def _day(alias: str, description: str) -> Query:
    return Query(alias=alias, ge=FIRST_DAY, le=LAST_DAY, description=description)


From = Annotated[date | None, _day("from", "First day (YYYY-MM-DD), at the business")]
To = Annotated[date | None, _day("to", "Last day (YYYY-MM-DD), included")]


@router.get("/merchants/<merchant_id>/members", responses=shapes.answers(shapes.MemberPage))
def list_members(
    merchant_id: str,
    caller: CallerId,
    first: From = None,
    last: To = None,
    limit: ExportLimit = 20,
    cursor: Cursor = None,
) -> dict:
    """The business's members by customer; with `from`/`to`, those last active then."""
    return members.list_members(caller, merchant_id, first, last, limit, cursor)


@router.post(
    "/merchants/<merchant_id>/members/<customer_id>/adjustments",
    responses=shapes.answers(shapes.BalanceChange, 201),
)
@idempotent
def adjust(
    merchant_id: str, customer_id: str, body: Adjustment, caller: CallerId, idem: IdempotencyKey
) -> tuple[dict, int]:
    """The owner adds or removes points for a customer, with a reason."""
    result = adjustments.adjust(
        caller, merchant_id, customer_id, body.points, body.reason, body.note, idem
    )
    return result, 201


@router.get(
    "/merchants/<merchant_id>/exports/ledger", responses=shapes.answers(shapes.TransactionPage)
)
def export_ledger(
    merchant_id: str,
    caller: CallerId,
    first: Annotated[date, _day("from", "First day (YYYY-MM-DD), at the business")],
    last: Annotated[date, _day("to", "Last day (YYYY-MM-DD), included")],
    limit: ExportLimit = config.EXPORT_PAGE_MAX,
    cursor: Cursor = None,
) -> dict:
    """The business's ledger entries of a date range, oldest first, a page at a time."""
    return members.export_ledger(caller, merchant_id, first, last, limit, cursor)

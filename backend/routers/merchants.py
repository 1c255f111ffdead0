"""Business routes: directory, registration, settings, rewards, promotions, ledger, stats
(staff: routers/staff.py)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from backend.logic import errors, merchants, promotions, stats
from backend.logic.limits import per_caller
from backend.models import responses as shapes
from backend.models.requests import (
    Category,
    MerchantCreate,
    MerchantUpdate,
    PromotionCreate,
    PromotionUpdate,
    RewardCreate,
    RewardUpdate,
)
from backend.routers.identity import CallerId

router = Router()

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=2048)]


def _changes(
    body: MerchantUpdate | RewardUpdate | PromotionUpdate, *, clearable: tuple = ()
) -> dict:
    """The fields a PATCH sets; a `clearable` field sent as null is a change to None."""
    changes = body.model_dump(exclude_none=True)
    for name in clearable:
        if name in body.model_fields_set and getattr(body, name) is None:
            changes[name] = None
    return changes


@router.get("/merchants", responses=shapes.answers(shapes.MerchantPage))
def list_merchants(
    caller: CallerId,
    category: Category | None = None,
    q: Annotated[str | None, Query(max_length=80)] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> dict:
    """The business directory, by name."""
    return merchants.directory(category, q, limit, cursor)


@router.post("/merchants", responses=shapes.answers(shapes.Merchant, 201))
@per_caller("create_business")
def create_merchant(body: MerchantCreate, caller: CallerId) -> tuple[dict, int]:
    """Register a business; the caller becomes its owner."""
    return merchants.create_merchant(caller, body.model_dump(exclude_none=True)), 201


@router.get("/merchants/<merchant_id>", responses=shapes.answers(shapes.Merchant))
def get_merchant(merchant_id: str, caller: CallerId) -> dict:
    """One business with its active rewards."""
    return merchants.get_merchant(merchant_id)


@router.patch("/merchants/<merchant_id>", responses=shapes.answers(shapes.Merchant))
def patch_merchant(merchant_id: str, body: MerchantUpdate, caller: CallerId) -> dict:
    """Owner changes settings."""
    return merchants.update_merchant(caller, merchant_id, _changes(body))


@router.get("/merchants/<merchant_id>/rewards", responses=shapes.answers(shapes.RewardList))
def list_rewards(merchant_id: str, caller: CallerId, include_retired: bool = False) -> dict:
    """Staff see the business's rewards."""
    return merchants.list_rewards(caller, merchant_id, include_retired)


@router.post("/merchants/<merchant_id>/rewards", responses=shapes.answers(shapes.Reward, 201))
def create_reward(merchant_id: str, body: RewardCreate, caller: CallerId) -> tuple[dict, int]:
    """Owner adds a reward."""
    return merchants.create_reward(caller, merchant_id, body.model_dump()), 201


@router.patch(
    "/merchants/<merchant_id>/rewards/<reward_id>", responses=shapes.answers(shapes.Reward)
)
def patch_reward(merchant_id: str, reward_id: str, body: RewardUpdate, caller: CallerId) -> dict:
    """Owner edits a reward (`min_tier: null` opens it to every tier)."""
    changes = _changes(body, clearable=("min_tier",))
    return merchants.update_reward(caller, merchant_id, reward_id, changes)


@router.delete(
    "/merchants/<merchant_id>/rewards/<reward_id>", responses=shapes.answers(shapes.Reward)
)
def retire_reward(merchant_id: str, reward_id: str, caller: CallerId) -> dict:
    """Owner retires a reward (kept for the history)."""
    return merchants.update_reward(caller, merchant_id, reward_id, {"active": False})


@router.get("/merchants/<merchant_id>/promotions", responses=shapes.answers(shapes.PromotionList))
def list_promotions(merchant_id: str, caller: CallerId) -> dict:
    """Staff see the business's promotions, ended ones too."""
    return promotions.list_promotions(caller, merchant_id)


@router.post("/merchants/<merchant_id>/promotions", responses=shapes.answers(shapes.Promotion, 201))
def create_promotion(merchant_id: str, body: PromotionCreate, caller: CallerId) -> tuple[dict, int]:
    """Owner adds a promotion."""
    return promotions.create_promotion(caller, merchant_id, body.model_dump()), 201


@router.patch(
    "/merchants/<merchant_id>/promotions/<promotion_id>",
    responses=shapes.answers(shapes.Promotion),
)
def patch_promotion(
    merchant_id: str, promotion_id: str, body: PromotionUpdate, caller: CallerId
) -> dict:
    """Owner changes a promotion (`ends_on`, the window's ends, `weekdays`: null clears)."""
    changes = _changes(body, clearable=("ends_on", "from_time", "until_time", "weekdays"))
    return promotions.update_promotion(caller, merchant_id, promotion_id, changes)


@router.delete(
    "/merchants/<merchant_id>/promotions/<promotion_id>", responses=shapes.answers(None, 204)
)
def delete_promotion(
    merchant_id: str, promotion_id: str, caller: CallerId
):  # -> Response (unannotated: Powertools would model it)
    """Owner deletes a promotion (the entries it applied to keep its name)."""
    promotions.delete_promotion(caller, merchant_id, promotion_id)
    return Response(status_code=204, body="")


@router.get(
    "/merchants/<merchant_id>/transactions", responses=shapes.answers(shapes.TransactionPage)
)
def merchant_transactions(
    merchant_id: str,
    caller: CallerId,
    kind: Annotated[
        str | None,
        Query(pattern="^(earn|redeem|stamp_redeem|reversal|adjustment|expiry|closure)$"),
    ] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> dict:
    """The business's ledger, newest first."""
    return merchants.transactions(caller, merchant_id, kind, customer_id, limit, cursor)


@router.get("/merchants/<merchant_id>/stats", responses=shapes.answers(shapes.Stats))
def merchant_stats(merchant_id: str, caller: CallerId, days: int = 7) -> dict:
    """Figures over the last 7 or 30 days."""
    if days not in (7, 30):
        raise errors.ValidationFailed("days: must be 7 or 30.")
    return stats.merchant_stats(caller, merchant_id, days)

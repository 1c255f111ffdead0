"""Customer routes: profile, wallet, history, QR tokens (the caller's own data only)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from backend.logic import customers, preferences, visits
from backend.models import responses as shapes
from backend.models.requests import BusinessReceiptsUpdate, MailSettingsUpdate, ProfileUpdate
from backend.routers.identity import CallerId

router = Router()

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=2048)]


@router.get("/me", responses=shapes.answers(shapes.Profile))
def get_me(caller: CallerId) -> dict:
    """The caller's profile."""
    return customers.me(caller)


@router.patch("/me", responses=shapes.answers(shapes.Profile))
def patch_me(body: ProfileUpdate, caller: CallerId) -> dict:
    """Change the caller's display name."""
    return customers.rename(caller, body.display_name)


@router.get("/me/preferences", responses=shapes.answers(shapes.MailSettings))
def get_preferences(caller: CallerId) -> dict:
    """The caller's email settings (receipts, reminders, language, time zone)."""
    return preferences.settings(caller)


@router.patch("/me/preferences", responses=shapes.answers(shapes.MailSettings))
def patch_preferences(body: MailSettingsUpdate, caller: CallerId) -> dict:
    """Change the caller's email settings."""
    return preferences.change(
        caller,
        receipts=body.receipts,
        reminders=body.reminders,
        language=body.language,
        time_zone=body.time_zone,
    )


@router.patch(
    "/me/preferences/businesses/<merchant_id>", responses=shapes.answers(shapes.BusinessReceipts)
)
def patch_business_receipts(
    merchant_id: str, body: BusinessReceiptsUpdate, caller: CallerId
) -> dict:
    """Receipts from one business (where the caller has points) on or off."""
    return preferences.change_business(caller, merchant_id, body.receipts)


@router.get("/wallet", responses=shapes.answers(shapes.Wallet))
def get_wallet(caller: CallerId) -> dict:
    """One membership per business."""
    return customers.wallet(caller)


@router.get("/transactions", responses=shapes.answers(shapes.TransactionPage))
def get_transactions(
    caller: CallerId,
    merchant_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> dict:
    """The caller's ledger entries, newest first."""
    return customers.transactions(caller, merchant_id, limit, cursor)


@router.post("/qr-tokens", responses=shapes.answers(shapes.QrToken, 201))
def post_qr_token(caller: CallerId) -> tuple[dict, int]:
    """A fresh one-time token for the caller."""
    return visits.issue_token(caller), 201


@router.get("/qr-tokens/<token_id>", responses=shapes.answers(shapes.QrTokenStatus))
def get_qr_token(token_id: str, caller: CallerId) -> dict:
    """Whether the caller's token was scanned, and what happened in that visit."""
    return visits.token_status(caller, token_id)

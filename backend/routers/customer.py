"""Customer routes: profile, wallet, history, QR tokens (the caller's own data only)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from backend.logic import accounts, customers, preferences, visits
from backend.logic.limits import per_caller
from backend.models import responses as shapes
from backend.models.requests import (
    Approval,
    BusinessReceiptsUpdate,
    Dispute,
    MailSettingsUpdate,
    ProfileUpdate,
)
from backend.routers.identity import CallerId, SignedInAt
from backend.routers.visits import count_failed_code_lookup

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


@router.delete(
    "/me",
    responses={
        **shapes.answers(shapes.AccountDeletion),
        202: {
            "description": "Not finished yet (a long history): call again",
            "content": {"application/json": {"model": shapes.AccountDeletion}},
        },
    },
)
def delete_me(caller: CallerId, signed_in_at: SignedInAt) -> tuple[dict, int]:
    """Delete the caller's account (needs a sign-in from the last 5 minutes)."""
    return accounts.delete_account(caller, signed_in_at)


@router.get("/me/export", responses=shapes.answers(shapes.DataExport))
def get_my_export(
    caller: CallerId,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
    cursor: Cursor = None,
) -> dict:
    """Everything ePoint holds about the caller: profile, memberships, roles, and a page of
    their ledger entries."""
    return accounts.export(caller, limit, cursor)


@router.get("/me/preferences", responses=shapes.answers(shapes.MailSettings))
@per_caller("mail_settings")
def get_preferences(caller: CallerId) -> dict:
    """The caller's email settings (receipts, reminders, language, time zone)."""
    return preferences.settings(caller)


@router.patch("/me/preferences", responses=shapes.answers(shapes.MailSettings))
@per_caller("mail_settings")
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
@per_caller("mail_settings")
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


@router.post("/transactions/<tx_id>/dispute", responses=shapes.answers(shapes.Transaction))
@per_caller("dispute")
def dispute(tx_id: str, body: Dispute, caller: CallerId) -> dict:
    """The customer disputes one of their transactions (the business's owner sees it)."""
    return customers.dispute(caller, body.merchant_id, tx_id, body.reason)


@router.post("/qr-tokens", responses=shapes.answers(shapes.QrToken, 201))
@per_caller("issue_code")
def post_qr_token(caller: CallerId) -> tuple[dict, int]:
    """A fresh one-time token for the caller."""
    return visits.issue_token(caller), 201


@router.get("/qr-tokens/<token_id>", responses=shapes.answers(shapes.QrTokenStatus))
@per_caller("token_status")
def get_qr_token(token_id: str, caller: CallerId) -> dict:
    """Whether the caller's token was scanned (and what happened in that visit), or which
    business asks to scan it."""
    return visits.token_status(caller, token_id)


@router.post("/qr-tokens/<token_id>/approval", responses=shapes.answers(shapes.QrTokenStatus))
@per_caller("approve")
def post_approval(token_id: str, body: Approval, caller: CallerId) -> dict:
    """The customer allows a till that typed their code (the visit opens), or says not me."""
    answered = visits.answer_request(caller, token_id, body.allow)
    if not body.allow:
        count_failed_code_lookup()
    return answered

"""Roles by consent: the owner's invitations and staff, the invitee's answer, my businesses."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from backend.logic import staff
from backend.models import responses as shapes
from backend.models.requests import Invite
from backend.routers.identity import CallerId

router = Router()

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=2048)]


def _no_content() -> Response:
    return Response(status_code=204, body="")


# ------------------------------------------------------------------ the owner's side


@router.get("/merchants/<merchant_id>/staff", responses=shapes.answers(shapes.StaffList))
def list_staff(merchant_id: str, caller: CallerId) -> dict:
    """Owner sees the staff."""
    return staff.list_staff(caller, merchant_id)


@router.delete("/merchants/<merchant_id>/staff/<user_id>", responses=shapes.answers(None, 204))
def remove_staff(
    merchant_id: str, user_id: str, caller: CallerId
):  # -> Response (unannotated: Powertools would model it)
    """Owner removes a staff member."""
    staff.remove_staff(caller, merchant_id, user_id)
    return _no_content()


@router.post(
    "/merchants/<merchant_id>/invitations",
    responses=shapes.answers(shapes.InvitationSent, 202),
)
def invite(merchant_id: str, body: Invite, caller: CallerId) -> tuple[dict, int]:
    """Owner invites an email to the staff (the same answer whether or not it has an account)."""
    return staff.invite(caller, merchant_id, body.email), 202


@router.get("/merchants/<merchant_id>/invitations", responses=shapes.answers(shapes.InvitationList))
def list_invitations(merchant_id: str, caller: CallerId) -> dict:
    """Owner sees the invitations waiting for an answer."""
    return staff.invitations(caller, merchant_id)


@router.delete(
    "/merchants/<merchant_id>/invitations/<invitation_id>", responses=shapes.answers(None, 204)
)
def cancel_invitation(
    merchant_id: str, invitation_id: str, caller: CallerId
):  # -> Response (unannotated: Powertools would model it)
    """Owner cancels an invitation; its link stops working."""
    staff.cancel(caller, merchant_id, invitation_id)
    return _no_content()


# ------------------------------------------------------------------ the invitee's side


@router.get("/me/invitations", responses=shapes.answers(shapes.InvitationToMePage))
def my_invitations(caller: CallerId, limit: Limit = 20, cursor: Cursor = None) -> dict:
    """Invitations waiting for my email."""
    return staff.my_invitations(caller, limit, cursor)


@router.get("/invitations/<token>", responses=shapes.answers(shapes.InvitationToMe))
def get_invitation(token: str, caller: CallerId) -> dict:
    """The invitation an emailed link names, if it is mine and still open."""
    return staff.invitation(caller, token)


@router.post("/invitations/<token>/accept", responses=shapes.answers(shapes.Role))
def accept_invitation(token: str, caller: CallerId) -> dict:
    """I accept: I am staff of that business from now on."""
    return staff.accept(caller, token)


@router.post("/invitations/<token>/decline", responses=shapes.answers(None, 204))
def decline_invitation(
    token: str, caller: CallerId
):  # -> Response (unannotated: Powertools would model it)
    """I decline: the invitation is gone."""
    staff.decline(caller, token)
    return _no_content()


# ------------------------------------------------------------------ my businesses


@router.get("/me/merchants", responses=shapes.answers(shapes.RolePage))
def my_merchants(caller: CallerId, limit: Limit = 20, cursor: Cursor = None) -> dict:
    """Businesses I own or staff, a page at a time."""
    return staff.my_merchants(caller, limit, cursor)


@router.get("/me/merchants/<merchant_id>", responses=shapes.answers(shapes.Role))
def my_merchant(merchant_id: str, caller: CallerId) -> dict:
    """My role at one business (404 if I neither own nor staff it)."""
    return staff.my_merchant(caller, merchant_id)


@router.delete("/me/merchants/<merchant_id>", responses=shapes.answers(None, 204))
def leave(
    merchant_id: str, caller: CallerId
):  # -> Response (unannotated: Powertools would model it)
    """I leave a business I staff (an owner cannot)."""
    staff.leave(caller, merchant_id)
    return _no_content()

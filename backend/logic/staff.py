"""Roles by consent (invariant 10): invitations, staff, leaving, and my businesses.

- Nobody becomes staff without accepting: the owner only invites an email; the person who
  signed up with that email accepts or declines, in the app or through the link emailed to
  them (`token`), and only accepting writes the staff item (dal.staff.accept).
- No answer tells whether an email has an account: inviting never looks the email up. The
  invitation is found later by the invitee's own verified email (their profile's, written
  by the PostConfirmation trigger once Cognito confirmed the address).
- Staff can leave; an owner cannot (they would leave a business without an owner).
- Caps (loyalty.bounds): businesses per account, counted when creating and accepting;
  invitations waiting per business, which also bounds the emails one business can cause.
"""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Any

from backend import clock, config
from backend.dal import merchants as merchant_store
from backend.dal import staff as store
from backend.dal import users
from backend.logic import access, errors, ids, pages
from loyalty import bounds

Item = dict[str, Any]

_TOKEN = re.compile(r"(m_[0-9a-z]{1,40})\.([A-Za-z0-9_-]{24})")
NO_SUCH_INVITATION = (
    "No open invitation matches this link for your account: it was answered, cancelled, "
    "or sent to another email address."
)


# ------------------------------------------------------------------ shapes


def _public_staff(item: Item) -> Item:
    return {
        "user_id": item["user_id"],
        "email": item.get("email", ""),
        "display_name": item.get("display_name", ""),
        "role": item["role"],
        "added_at": item["added_at"],
    }


def _sent(item: Item) -> Item:
    """An invitation as its business sees it (never its token: that is the invitee's)."""
    return {
        "invitation_id": item["invitation_id"],
        "email": item["email"],
        "invited_by": item["inviter_name"],
        "invited_at": item["invited_at"],
        "expires_at": clock.iso(int(item["expires_at"])),
    }


def _received(item: Item) -> Item:
    """An invitation as its invitee sees it, with the token that answers it."""
    return {
        "token": item["token"],
        "merchant_id": item["merchant_id"],
        "merchant_name": item["merchant_name"],
        "invited_by": item["inviter_name"],
        "invited_at": item["invited_at"],
        "expires_at": clock.iso(int(item["expires_at"])),
    }


def _role(role: Item, profile: Item) -> Item:
    return {
        "merchant_id": profile["merchant_id"],
        "name": profile["name"],
        "category": profile["category"],
        "role": role["role"],
    }


# ------------------------------------------------------------------ the owner's side


def list_staff(user_id: str, merchant_id: str) -> Item:
    """Owner sees everyone who works there."""
    access.require_owner(merchant_id, user_id)
    return {"staff": [_public_staff(s) for s in store.list_staff(merchant_id)]}


def remove_staff(user_id: str, merchant_id: str, staff_user_id: str) -> None:
    """Owner removes a staff member (never the owner)."""
    access.require_owner(merchant_id, user_id)
    target = store.get_staff(merchant_id, staff_user_id)
    if target is None:
        raise errors.NotFound()
    if target["role"] == "owner":
        raise errors.CannotRemoveOwner()
    if not store.remove_staff(merchant_id, staff_user_id):
        raise errors.NotFound()


def invite(user_id: str, merchant_id: str, email: str) -> Item:
    """Owner invites an email to the staff: the same answer whether or not it has an account.

    Nothing here reads who uses the email (no lookup, no different work), so neither the
    answer nor its timing can tell. The email to the invitee is sent from the table's
    stream (docs/data-model.md, "Invitations"), off this request.
    """
    owner = access.require_owner(merchant_id, user_id)
    if email == owner.get("email"):
        raise errors.AlreadyStaff("You own this business already.")
    profile = merchant_store.get_profile(merchant_id)
    if profile is None:
        raise errors.NotFound()
    expires_at = clock.now_s() + config.INVITATION_TTL_SECONDS
    invitation = {
        "invitation_id": ids.new_id("i"),
        "merchant_id": merchant_id,
        "merchant_name": profile["name"],
        "email": email,
        "invited_by": user_id,
        "inviter_name": owner.get("display_name") or "The owner",
        "token": f"{merchant_id}.{secrets.token_urlsafe(18)}",
        "invited_at": clock.iso(),
        "expires_at": expires_at,
    }
    try:
        store.invite(invitation, bounds.PENDING_INVITATIONS_PER_BUSINESS)
    except store.Refused as refused:
        if refused.reason == "pending":
            raise errors.AlreadyInvited() from refused
        raise errors.TooManyInvitations() from refused
    return {
        "invitation": _sent(invitation),
        "message": (
            f"Invitation sent to {email}. They join your staff once they accept it in ePoint; "
            "without an account yet, they can sign up with this email and accept it there."
        ),
    }


def invitations(user_id: str, merchant_id: str) -> Item:
    """Owner sees the invitations still waiting for an answer, oldest first."""
    access.require_owner(merchant_id, user_id)
    now = clock.now_s()
    waiting = [i for i in store.list_invitations(merchant_id) if int(i["expires_at"]) > now]
    return {"invitations": [_sent(i) for i in sorted(waiting, key=lambda i: i["invitation_id"])]}


def cancel(user_id: str, merchant_id: str, invitation_id: str) -> None:
    """Owner takes an invitation back; its link stops working."""
    access.require_owner(merchant_id, user_id)
    found = next(
        (i for i in store.list_invitations(merchant_id) if i["invitation_id"] == invitation_id),
        None,
    )
    if found is None or not store.withdraw(
        merchant_id, found["email"], "invitation_id", invitation_id
    ):
        raise errors.NotFound()


# ------------------------------------------------------------------ the invitee's side


def _verified_email(user_id: str) -> str | None:
    """The address the caller proved they own: their profile's, written at confirmation."""
    profile = users.get_profile(user_id) or {}
    return profile.get("email") or None


def my_invitations(user_id: str, limit: int, cursor: str | None) -> Item:
    """The invitations waiting for the caller's email, the soonest to expire first."""
    email = _verified_email(user_id)
    if email is None:
        return {"items": [], "next_cursor": None}
    return pages.page(lambda: store.invitations_to(email, limit, cursor), _received)


def _open(user_id: str, token: str) -> tuple[Item, Item]:
    """(the caller's profile, the invitation the token names) if it is addressed to them.

    Anyone else, and any token that is not an open invitation's, hears the same 404.
    """
    found = _TOKEN.fullmatch(token)
    profile = users.get_profile(user_id)
    if not found or profile is None or not profile.get("email"):
        raise errors.NotFound(NO_SUCH_INVITATION)
    invitation = store.get_invitation(found.group(1), profile["email"])
    if invitation is None or not hmac.compare_digest(invitation["token"], token):
        raise errors.NotFound(NO_SUCH_INVITATION)
    return profile, invitation


def invitation(user_id: str, token: str) -> Item:
    """What the invitation link shows the invitee: the business, who invited them, until when."""
    _, found = _open(user_id, token)
    if int(found["expires_at"]) <= clock.now_s():
        raise errors.InvitationExpired()
    return _received(found)


def accept(user_id: str, token: str) -> Item:
    """The invitee says yes: they are staff from now on (409 at the cap of businesses)."""
    profile, found = _open(user_id, token)
    if int(found["expires_at"]) <= clock.now_s():
        raise errors.InvitationExpired()
    try:
        store.accept(found, profile, clock.iso(), bounds.BUSINESSES_PER_ACCOUNT)
    except store.Refused as refused:
        if refused.reason == "already_staff":
            # Nothing left to consent to: the invitation goes, the role stays as it was.
            store.withdraw(found["merchant_id"], found["email"], "token", token)
            raise errors.AlreadyStaff("You already work at this business.") from refused
        if refused.reason == "full":
            raise errors.TooManyBusinesses() from refused
        raise errors.NotFound(NO_SUCH_INVITATION) from refused
    merchant = merchant_store.get_profile(found["merchant_id"]) or {
        "merchant_id": found["merchant_id"],
        "name": found["merchant_name"],
        "category": "other",
    }
    return _role({"role": "staff"}, merchant)


def decline(user_id: str, token: str) -> None:
    """The invitee says no: the invitation is gone (an expired one too)."""
    _, found = _open(user_id, token)
    if not store.withdraw(found["merchant_id"], found["email"], "token", token):
        raise errors.NotFound(NO_SUCH_INVITATION)


# ------------------------------------------------------------------ my businesses


def my_merchants(user_id: str, limit: int, cursor: str | None) -> Item:
    """A page of the businesses the caller owns or staffs, their profiles read in one batch."""

    def read() -> tuple[list[Item], str | None]:
        mine, next_cursor = store.roles(user_id, limit, cursor)
        found = merchant_store.profiles([r["merchant_id"] for r in mine])
        return [{"role": r, "profile": found.get(r["merchant_id"])} for r in mine], next_cursor

    return pages.page(read, lambda r: _role(r["role"], r["profile"]) if r["profile"] else None)


def my_merchant(user_id: str, merchant_id: str) -> Item:
    """The caller's role at one business; 404 if they neither own nor staff it."""
    mine = store.role(user_id, merchant_id)
    profile = merchant_store.get_profile(merchant_id) if mine else None
    if mine is None or profile is None:
        raise errors.NotFound()
    return _role(mine, profile)


def leave(user_id: str, merchant_id: str) -> None:
    """Staff leave a business; they lose access at once. The owner cannot leave."""
    mine = store.get_staff(merchant_id, user_id)
    if mine is None:
        raise errors.NotFound()
    if mine["role"] == "owner":
        raise errors.OwnerCannotLeave()
    if not store.remove_staff(merchant_id, user_id):
        raise errors.NotFound()

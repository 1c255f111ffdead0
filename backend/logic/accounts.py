"""A customer's account as a whole: everything we hold about them (export), and its deletion.

Deletion keeps the businesses' books whole. Ledger entries stay (a business's history and
reconciliation need them) but lose the name: each says "Deleted customer" and keeps only
the customer's id, which nothing links to a person once the profile and the Cognito user
are gone. Every balance is closed by a `closure` entry (points to 0), through the same
balance transaction as every other change, so every membership's ledger still sums to its
balance. The steps are each safe to repeat, so a deletion that runs out of time (a long
history) answers 202 and the client calls again; the Cognito user goes last.
"""

from __future__ import annotations

import time
from typing import Any

from backend import clock, config
from backend.dal import ledger as store
from backend.dal import merchants as merchant_store
from backend.dal import staff as staff_store
from backend.dal import user_pool, users
from backend.logic import errors, ledger, pages
from backend.logic.customers import public_profile

RENAME_BATCH = 50  # entries renamed per transaction (dal.ledger.rename_customer)
READ_PAGE = 500  # entries read per page while renaming


def _all_roles(user_id: str) -> list[dict[str, Any]]:
    """Every business the user owns or staffs (at most the cap of loyalty.bounds)."""
    found, cursor = [], None
    while True:
        page, cursor = staff_store.roles(user_id, 100, cursor)
        found.extend(page)
        if cursor is None:
            return found


def _withdraw_invitations(email: str) -> None:
    """Open invitations to the person's email hold the address: they go with the account."""
    cursor = None
    while True:
        page, cursor = staff_store.invitations_to(email, 100, cursor)
        for invitation in page:
            staff_store.withdraw(invitation["merchant_id"], email, "token", invitation["token"])
        if cursor is None:
            return


# ------------------------------------------------------------------ export


def _export_membership(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "merchant_id": item["merchant_id"],
        "merchant_name": item.get("merchant_name", ""),
        "category": item.get("category", ""),
        "currency": item.get("currency", ""),
        "balance": int(item["balance"]),
        "lifetime_points": int(item["lifetime_points"]),
        "created_at": item.get("created_at", ""),
        "updated_at": item.get("updated_at", ""),
    }


def _export_entry(item: dict[str, Any]) -> dict[str, Any]:
    return {**ledger.public_entry(item), "reason": item.get("reason")}


def export(user_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """The caller's profile, memberships and roles, and one page of their ledger entries
    (every business, newest first); `next_cursor` reads on until it is null."""
    profile = users.get_profile(user_id)
    if profile is None:
        raise errors.NotFound("No profile yet: finish signing up first.")
    entries = pages.page(
        lambda: store.customer_entries(user_id, None, limit, cursor), _export_entry
    )
    return {
        "profile": public_profile(profile),
        "memberships": [_export_membership(m) for m in store.memberships(user_id)],
        "roles": [
            {"merchant_id": r["merchant_id"], "role": r["role"]} for r in _all_roles(user_id)
        ],
        **entries,
    }


# ------------------------------------------------------------------ deletion


def _require_recent_sign_in(signed_in_at: int | None) -> None:
    now = clock.now_s()
    if signed_in_at is None or not (
        now - config.RECENT_SIGN_IN_SECONDS <= signed_in_at <= now + 60
    ):
        raise errors.ReauthenticationRequired()


def _refuse_owners(roles: list[dict[str, Any]]) -> None:
    owned = [r["merchant_id"] for r in roles if r["role"] == "owner"]
    if not owned:
        return
    names = []
    for merchant_id in owned:
        profile = merchant_store.get_profile(merchant_id)
        names.append(profile["name"] if profile else merchant_id)
    raise errors.OwnsBusiness(
        f"You own {', '.join(names)}. Hand the business over to someone else or close it"
        " before deleting your account."
    )


def _rename_entries(user_id: str, deadline: float) -> bool:
    """Put "Deleted customer" on every entry of the customer; False if time ran out first.

    Reads every entry (cheap: a page is up to 1 MB) and rewrites only those still named, so
    a repeated call picks up where the last one stopped; each call renames at least one
    batch, so repeating always finishes.
    """
    cursor = None
    while True:
        items, cursor = store.customer_entries(user_id, None, READ_PAGE, cursor)
        named = [e for e in items if e.get("customer_name") != ledger.DELETED_CUSTOMER]
        for start in range(0, len(named), RENAME_BATCH):
            store.rename_customer(named[start : start + RENAME_BATCH], ledger.DELETED_CUSTOMER)
            if time.monotonic() > deadline and (start + RENAME_BATCH < len(named) or cursor):
                return False
        if cursor is None:
            return True


def delete_account(user_id: str, signed_in_at: int | None) -> tuple[dict[str, Any], int]:
    """Delete the caller's account: (answer, 200) when done, (answer, 202) to be called again.

    Needs a sign-in from the last few minutes (a stolen session cannot delete anyone) and
    refuses while the caller owns a business. Then: no new memberships, staff roles and open
    invitations to their email removed, every balance closed by a ledger entry, the name taken off every entry, the profile
    erased (leaving a short-lived deletion record for the confirmation email), and last the
    Cognito user, so the same email can sign up again as a new person.
    """
    deadline = time.monotonic() + config.ERASE_BUDGET_SECONDS
    _require_recent_sign_in(signed_in_at)
    roles = _all_roles(user_id)
    _refuse_owners(roles)
    profile = users.get_profile(user_id, consistent=True)
    if profile is not None:
        users.mark_deleting(user_id, clock.iso())
        _withdraw_invitations(profile.get("email", ""))
    for role in roles:
        staff_store.remove_staff(role["merchant_id"], user_id)
    for member in store.memberships(user_id, consistent=True):
        if not member.get("closed_at"):
            ledger.close_membership(user_id, member["merchant_id"])
    if not _rename_entries(user_id, deadline):
        return {"status": "in_progress"}, 202
    if profile is not None:
        now_s = clock.now_s()
        users.erase(
            profile,
            {
                "user_id": user_id,
                "email": profile.get("email", ""),
                "display_name": profile.get("display_name", ""),
                "deleted_at": clock.iso(now_s),
                "expires_at": now_s + config.DELETION_RECORD_TTL_SECONDS,
            },
        )
    user_pool.delete_user(user_id)
    return {"status": "deleted"}, 200

"""An owner's adjustment: points added to or taken off a customer's balance by hand.

Only the owner (staff hear `owner_only`, also inside the transaction), only for a customer
who has a card at the business, always with a reason (goodwill, correction) and an optional
note; the `adjustment` entry keeps who did it (`staff_id`, the owner) and why. Taking points
off never takes the balance below zero. The lifetime figure (and so the tier) does not
change: tiers follow what purchases earned.
"""

from __future__ import annotations

from typing import Any

from backend.dal import ledger as store
from backend.dal import users
from backend.logic import access, errors
from backend.logic.idempotency import Idempotency
from backend.logic.ledger import Attempt, Proposal, change_balance
from loyalty import tiers


def adjust(
    owner_id: str,
    merchant_id: str,
    customer_id: str,
    points: int,
    reason: str,
    note: str,
    idem: Idempotency,
) -> dict[str, Any]:
    """Add (`points` > 0) or remove (< 0) points for a customer of the business."""
    # A stranger hears 403/404 and staff `owner_only` before anything about the customer.
    access.require_owner(merchant_id, owner_id)
    profile = users.get_profile(customer_id) or {}

    def draft(at: Attempt) -> Proposal:
        member = at.member(customer_id)
        if member.new:
            at.refuse(errors.NotFound("This customer has no points card here."), known=member.known)
        if member.balance + points < 0:
            at.refuse(
                errors.InsufficientPoints(
                    f"The customer has {member.balance} points: that is the most you can remove."
                ),
                known=member.known,
            )
        entry = at.entry(
            member,
            "adjustment",
            points,
            customer_name=str(profile.get("display_name") or "Customer"),
            amount_cents=None,
            reason=reason,
            note=note,
        )
        return at.propose(
            member,
            entry,
            lifetime_points=member.lifetime,
            min_old_balance=-points if points < 0 else None,
            answer={"tier": tiers.tier_for(member.lifetime, at.profile["tiers"])},
        )

    return change_balance(
        owner_id, merchant_id, idem, draft, role=store.RoleCheck(owner_id, "owner")
    )

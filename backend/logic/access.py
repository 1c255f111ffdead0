"""Who may act for a business (invariant 5): the one place that answers "is this caller
its staff, or its owner" for every route.

A stranger hears 404 when there is no such business and 403 when there is: never a detail
of the business's visits, rewards or ledger. The balance transaction checks staff again
inside itself (a ConditionCheck, dal.ledger), so a role removed meanwhile still refuses.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from backend.dal import merchants as merchant_store
from backend.dal import staff as staff_store
from backend.logic import errors


def require_staff(merchant_id: str, user_id: str) -> dict[str, Any]:
    """The caller's staff item; 404 if there is no such business, 403 if they don't work there."""
    staff = staff_store.get_staff(merchant_id, user_id)
    if staff is not None:
        return staff
    if merchant_store.get_profile(merchant_id) is None:
        raise errors.NotFound()
    raise errors.Forbidden()


def require_owner(merchant_id: str, user_id: str) -> dict[str, Any]:
    """Like require_staff, but only the owner passes."""
    staff = require_staff(merchant_id, user_id)
    if staff["role"] != "owner":
        raise errors.OwnerOnly()
    return staff


def staff_only(operation: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """For operations `(staff_id, merchant_id, ...)` whose warm path checks staff inside their
    transaction: a refusal raised before it is checked here, so a stranger hears 403/404."""

    @functools.wraps(operation)
    def checked(staff_id: str, merchant_id: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            return operation(staff_id, merchant_id, *args, **kwargs)
        except errors.DomainError as error:
            if not isinstance(error, errors.Forbidden):
                require_staff(merchant_id, staff_id)
            raise

    return checked

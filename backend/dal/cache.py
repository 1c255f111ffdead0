"""Per-container warm cache: what earn/redeem need, so their warm path is one round trip.

It is an optimisation, never a source of truth: every transaction conditions on what it
assumed (membership version, visit state, staff role, settings version, reward), and a
failed condition refreshes the entry from the item DynamoDB returns (ALL_OLD).
"""

from __future__ import annotations

from typing import Any

from backend import clock

MAX_ENTRIES = 2000
MERCHANT_TTL_SECONDS = 60  # settings are still checked by condition; this only bounds staleness

_merchants: dict[str, tuple[float, dict[str, Any], list[dict[str, Any]] | None]] = {}
_visits: dict[tuple[str, str], dict[str, Any]] = {}
_memberships: dict[tuple[str, str], dict[str, Any] | None] = {}
_roles: dict[tuple[str, str], str] = {}


def _bounded(store: dict[Any, Any], k: Any, v: Any) -> None:
    store.pop(k, None)
    store[k] = v
    while len(store) > MAX_ENTRIES:
        store.pop(next(iter(store)))


def merchant(merchant_id: str) -> tuple[dict[str, Any], list[dict[str, Any]] | None] | None:
    """(profile, rewards or None if not read yet) if cached and young enough."""
    hit = _merchants.get(merchant_id)
    if hit and clock.now() - hit[0] < MERCHANT_TTL_SECONDS:
        return hit[1], hit[2]
    return None


def put_merchant(profile: dict[str, Any], rewards: list[dict[str, Any]] | None) -> None:
    _bounded(_merchants, profile["merchant_id"], (clock.now(), profile, rewards))


def forget_merchant(merchant_id: str) -> None:
    _merchants.pop(merchant_id, None)


def visit(merchant_id: str, visit_id: str) -> dict[str, Any] | None:
    return _visits.get((merchant_id, visit_id))


def put_visit(item: dict[str, Any]) -> None:
    _bounded(_visits, (item["merchant_id"], item["visit_id"]), item)


def forget_visit(merchant_id: str, visit_id: str) -> None:
    _visits.pop((merchant_id, visit_id), None)


MISSING = object()


def membership(customer_id: str, merchant_id: str) -> Any:
    """The cached membership item, None if known not to exist, MISSING if unknown."""
    return _memberships.get((customer_id, merchant_id), MISSING)


def put_membership(customer_id: str, merchant_id: str, item: dict[str, Any] | None) -> None:
    _bounded(_memberships, (customer_id, merchant_id), item)


def staff_role(merchant_id: str, user_id: str) -> str | None:
    """The role ("owner"/"staff") this user was last seen with at the business, if seen.

    A role never changes while its staff item exists (an owner stays the owner; staff who
    are removed and hired again are staff again), and every balance change checks that
    the item exists: a cached role is right whenever that check passes.
    """
    return _roles.get((merchant_id, user_id))


def put_staff_role(merchant_id: str, user_id: str, role: str | None) -> None:
    if role is None:
        _roles.pop((merchant_id, user_id), None)
    else:
        _bounded(_roles, (merchant_id, user_id), role)


def clear() -> None:
    """Empty every cache (a cold container; tests)."""
    _merchants.clear()
    _visits.clear()
    _memberships.clear()
    _roles.clear()

"""Lists a page at a time: `{"items", "next_cursor"}`, and the caller's cursor checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backend.dal import dynamodb as db
from backend.logic import errors

Item = dict[str, Any]


def page(
    read: Callable[[], tuple[list[Item], str | None]], shape: Callable[[Item], Item | None]
) -> dict[str, Any]:
    """One page in its API shape (`shape` may drop an item with None).

    The cursor came from the caller, so one this list did not issue is their mistake: a 400.
    """
    try:
        items, next_cursor = read()
    except db.ForeignCursor as foreign:
        raise errors.BadCursor() from foreign
    shaped = [shape(item) for item in items]
    return {"items": [s for s in shaped if s is not None], "next_cursor": next_cursor}

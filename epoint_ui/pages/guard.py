"""The on_load list of a page that needs an account: the login guard runs first."""

from __future__ import annotations

from typing import Any

from epoint_ui.states.session import SessionState


def signed_in(*loaders: Any) -> list[Any]:
    """on_load for a signed-in page: send visitors to sign in, then run `loaders`."""
    return [SessionState.require_login, *loaders]

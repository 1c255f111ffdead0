"""How a page that needs an account is registered: the login guard runs before its loaders.

`@signed_in_page(...)` for the customer's pages; `@merchant_page(...)` for the merchant's,
which load the business being worked on (`MerchantState.load_business`) before their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx

from epoint_ui.states.merchant import MerchantState
from epoint_ui.states.session import SessionState

Page = Callable[[], rx.Component]


def signed_in_page(
    *, route: str, title: str, loaders: Sequence[Any] = ()
) -> Callable[[Page], Page]:
    """Registers a page for signed-in visitors (others go to sign in), then runs `loaders`."""
    return rx.page(route=route, title=title, on_load=[SessionState.require_login, *loaders])


def merchant_page(*, route: str, title: str, loaders: Sequence[Any] = ()) -> Callable[[Page], Page]:
    """Registers a page of the business being worked on: signed in, business loaded, `loaders`."""
    return signed_in_page(route=route, title=title, loaders=[MerchantState.load_business, *loaders])

"""The merchant pages' frame, bound to the open business (MerchantState).

The components stay stateless (`components/merchant_frame.py`); this is the one place
that hands them the business's name, the viewer's role and the owner-only refusal.
"""

from __future__ import annotations

import reflex as rx

from epoint_ui.components.merchant_frame import merchant_frame, owner_only
from epoint_ui.states.merchant import MerchantState


def business_page(*children: rx.Component, title: str, current: str) -> rx.Component:
    """A page of the open business, for its owner and its staff."""
    return merchant_frame(
        *children,
        title=title,
        current=current,
        business_name=MerchantState.business_name,
        is_owner=MerchantState.is_owner,
    )


def owners_page(content: rx.Component, *, title: str, current: str) -> rx.Component:
    """A page of the open business that only its owner can use; staff read why not."""
    return business_page(
        owner_only(
            content,
            MerchantState.is_owner,
            MerchantState.loaded,
            MerchantState.owner_only_message,
        ),
        title=title,
        current=current,
    )

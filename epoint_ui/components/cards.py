"""Cards: one framed block of related content."""

from __future__ import annotations

from typing import Any

import reflex as rx


def card(*children: rx.Component, **props: Any) -> rx.Component:
    """A framed block (a wallet membership, a business, a form)."""
    props.setdefault("width", "100%")
    return rx.card(rx.vstack(*children, spacing="2", width="100%"), size="2", **props)

"""Links with accessible colours (Reflex's default hover colour fails contrast on white)."""

from __future__ import annotations

from typing import Any

import reflex as rx

HOVER = {"color": rx.color("accent", 12)}


def link(*children: Any, href: str, **props: Any) -> rx.Component:
    """A link (e.g. around a button or an icon) whose hover colour keeps its contrast."""
    props.setdefault("_hover", HOVER)
    return rx.link(*children, href=href, **props)


def text_link(text: str, href: str, **props: Any) -> rx.Component:
    """A link inside or beside text: underlined, so it is not told apart by colour alone."""
    props.setdefault("underline", "always")
    props.setdefault("color", rx.color("accent", 11))
    return link(text, href=href, **props)

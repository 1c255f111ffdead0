"""Buttons that show they are working while an action waits."""

from __future__ import annotations

from typing import Any

import reflex as rx


def primary_button(text: str, loading: rx.Var[bool] | bool = False, **props: Any) -> rx.Component:
    """The page's main action (a submit button by default); spins and disables while `loading`."""
    props.setdefault("type", "submit")
    props.setdefault("width", "100%")
    return rx.button(text, loading=loading, size="3", aria_busy=loading, **props)


def secondary_button(text: str, loading: rx.Var[bool] | bool = False, **props: Any) -> rx.Component:
    """A quieter action beside the main one."""
    props.setdefault("type", "button")
    return rx.button(text, loading=loading, size="3", variant="soft", aria_busy=loading, **props)

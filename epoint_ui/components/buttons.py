"""Buttons that show they are working while an action waits."""

from __future__ import annotations

from typing import Any

import reflex as rx


def _until_hydrated(props: dict[str, Any]) -> None:
    # A click before the page is live would make the browser submit the form itself
    # (a GET with the password in the URL): keep the button disabled until then.
    not_live = ~rx.State.is_hydrated
    props["disabled"] = (props["disabled"] | not_live) if "disabled" in props else not_live


def primary_button(text: str, loading: rx.Var[bool] | bool = False, **props: Any) -> rx.Component:
    """The page's main action (a submit button by default); spins and disables while `loading`."""
    props.setdefault("type", "submit")
    props.setdefault("width", "100%")
    _until_hydrated(props)
    return rx.button(text, loading=loading, size="3", aria_busy=loading, **props)


def secondary_button(
    text: rx.Component | rx.Var[str] | str, loading: rx.Var[bool] | bool = False, **props: Any
) -> rx.Component:
    """A quieter action beside the main one."""
    props.setdefault("type", "button")
    return rx.button(text, loading=loading, size="3", variant="soft", aria_busy=loading, **props)


def row_danger_button(
    text: str, aria_label: rx.Var[str] | str, loading: rx.Var[bool] | bool = False, **props: Any
) -> rx.Component:
    """A destructive action on one row of a list (retire, remove, reverse), named for its row."""
    return rx.button(
        text,
        loading=loading,
        variant="outline",
        color_scheme="red",
        aria_label=aria_label,
        type="button",
        **props,
    )

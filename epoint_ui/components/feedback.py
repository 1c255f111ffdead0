"""Messages: errors, notices and empty states."""

from __future__ import annotations

import reflex as rx


def error_callout(message: rx.Var[str] | str) -> rx.Component:
    """An error sentence, announced to screen readers; nothing when the message is empty."""
    return rx.cond(
        message,
        rx.callout(message, icon="triangle_alert", color_scheme="red", role="alert", width="100%"),
    )


def notice_callout(message: rx.Var[str] | str) -> rx.Component:
    """A neutral notice (e.g. why the user was sent to sign in); nothing when empty."""
    return rx.cond(
        message,
        rx.callout(message, icon="info", color_scheme="blue", role="status", width="100%"),
    )


def empty_state(icon: str, title: str, text: str, *actions: rx.Component) -> rx.Component:
    """What a list shows when there is nothing in it yet, and what to do about it."""
    return rx.vstack(
        rx.icon(icon, size=40, aria_hidden="true", color=rx.color("gray", 11)),
        rx.heading(title, as_="h2", size="4"),
        rx.text(text, color=rx.color("gray", 11), text_align="center"),
        *actions,
        align="center",
        spacing="3",
        padding_y="2em",
        width="100%",
    )

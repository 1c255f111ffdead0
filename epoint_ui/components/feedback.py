"""Messages: errors, notices and empty states."""

from __future__ import annotations

import reflex as rx


def message_callout(
    message: rx.Var[str] | str,
    *,
    icon: str,
    color: str,
    role: str,
    callout_id: str | None = None,
) -> rx.Component:
    """A one-sentence callout, nothing when the message is empty.

    Always high contrast: the pale default text on a tinted background is too faint on
    phones in daylight (the merchant side's finding), so every message uses the same look.
    """
    return rx.cond(
        message,
        rx.callout(
            message,
            icon=icon,
            color_scheme=color,
            high_contrast=True,
            role=role,
            width="100%",
            id=callout_id,
        ),
    )


def error_callout(message: rx.Var[str] | str) -> rx.Component:
    """An error sentence, announced to screen readers; nothing when the message is empty."""
    return message_callout(message, icon="triangle_alert", color="red", role="alert")


def notice_callout(message: rx.Var[str] | str) -> rx.Component:
    """A neutral notice (e.g. why the user was sent to sign in); nothing when empty."""
    return message_callout(message, icon="info", color="blue", role="status")


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

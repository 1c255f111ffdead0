"""A confirmation before a destructive action (reverse a transaction, leave a business)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui.components.feedback import error_callout


def confirm_dialog(
    title: Any,
    *description: Any,
    error: rx.Var[str],
    error_id: str | None = None,
    keep: str,
    confirm: str,
    working: rx.Var[bool],
    on_confirm: Any,
    is_open: rx.Var[bool],
    on_dismiss: Any,
) -> rx.Component:
    """An alert dialog: what will happen, the refusal if any, "keep" and a red `confirm`."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(*description),
            rx.box(error_callout(error), id=error_id, margin_y="1em"),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(keep, variant="soft", color_scheme="gray", type="button"),
                ),
                rx.button(
                    confirm,
                    color_scheme="red",
                    # Radix's plain solid red is 3.9:1 against white text; this is above 4.5:1.
                    high_contrast=True,
                    loading=working,
                    on_click=on_confirm,
                    type="button",
                ),
                justify="end",
                spacing="3",
            ),
        ),
        open=is_open,
        on_open_change=lambda _open: on_dismiss,
    )

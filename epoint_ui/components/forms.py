"""Form fields: a visible label, the control, a hint and the field's error."""

from __future__ import annotations

from typing import Any

import reflex as rx


def text_input(control_id: str, **props: Any) -> rx.Component:
    """A text input whose id/name tie it to its label (`field`)."""
    props.setdefault("name", control_id)
    props.setdefault("size", "3")
    props.setdefault("width", "100%")
    return rx.input(id=control_id, **props)


def code_input(control_id: str, **props: Any) -> rx.Component:
    """A 6-digit code box (emailed, or from an authenticator app): the phone's number pad and
    its one-time-code autofill, six digits or the form does not send."""
    props.setdefault("name", "code")
    return text_input(
        control_id,
        input_mode="numeric",
        auto_complete="one-time-code",
        max_length=6,
        pattern="[0-9]{6}",
        required=True,
        **props,
    )


def field(
    label: str,
    control: rx.Component,
    control_id: str,
    *,
    hint: rx.Component | str | None = None,
    error: rx.Var[str] | str = "",
) -> rx.Component:
    """A labelled form field; `control_id` must be the control's id."""
    parts: list[rx.Component] = [
        rx.el.label(label, html_for=control_id, font_weight="500"),
        control,
    ]
    if hint is not None:
        parts.append(
            rx.box(hint, id=f"{control_id}-hint", color=rx.color("gray", 11), font_size="0.9em")
        )
    parts.append(
        rx.cond(
            error,
            rx.text(error, id=f"{control_id}-error", color=rx.color("red", 11), role="alert"),
        )
    )
    return rx.vstack(*parts, spacing="1", width="100%", align="stretch")

"""A stamp card as the customer and the till see it: a row of filled and empty stamps."""

from __future__ import annotations

import reflex as rx


def _stamp(filled: rx.Var[bool]) -> rx.Component:
    return rx.box(
        rx.cond(filled, rx.icon("check", size=16, aria_hidden="true")),
        class_name=rx.cond(filled, "stamp stamp-filled", "stamp stamp-empty"),
        width="1.9em",
        height="1.9em",
        border_radius="50%",
        display="flex",
        align_items="center",
        justify_content="center",
        border=rx.cond(filled, "2px solid var(--accent-9)", "2px dashed var(--gray-8)"),
        background=rx.cond(filled, rx.color("accent", 9), "transparent"),
        color="white",
    )


def stamp_card(slots: rx.Var[list[bool]], text: rx.Var[str], card_id: str = "") -> rx.Component:
    """The card's stamps (one per slot, filled or empty), read out as `text`."""
    return rx.vstack(
        rx.flex(
            rx.foreach(slots, _stamp),
            wrap="wrap",
            gap="2",
            role="img",
            aria_label=text,
        ),
        rx.text(text, size="2", class_name="stamps-text"),
        spacing="1",
        width="100%",
        id=card_id or None,
        class_name="stamp-card",
    )

"""The local cloud's outbox: the confirmation and reset codes it would have emailed."""

import reflex as rx

from epoint_ui.components import card, empty_state, error_callout, public_shell
from epoint_ui.states.outbox import OutboxMessage, OutboxState


def _message(m: OutboxMessage) -> rx.Component:
    return card(
        rx.text(m.recipient, weight="medium"),
        rx.text(m.subject, size="2"),
        rx.hstack(
            rx.badge(m.purpose),
            rx.code(m.code, size="5"),
            rx.text(m.sent, size="1", color=rx.color("gray", 11)),
            align="center",
            wrap="wrap",
        ),
    )


@rx.page(route="/dev/outbox", title="Outbox (local cloud) · ePoint", on_load=OutboxState.load)
def dev_outbox() -> rx.Component:
    """Newest first; only the local cloud has an outbox."""
    return public_shell(
        rx.cond(
            OutboxState.available,
            rx.vstack(
                rx.text("Emails the local cloud would have sent. Newest first."),
                rx.button("Refresh", on_click=OutboxState.load, variant="soft", type="button"),
                error_callout(OutboxState.error),
                rx.cond(
                    OutboxState.messages.length() > 0,
                    rx.vstack(rx.foreach(OutboxState.messages, _message), width="100%"),
                    empty_state("mail", "No messages yet", "Sign up to get a confirmation code."),
                ),
                width="100%",
                spacing="3",
            ),
            rx.text("There is no outbox here: this ePoint sends real emails."),
        ),
        title="Outbox",
    )

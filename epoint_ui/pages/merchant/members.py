"""Members (owner only): every customer with a card here; add or remove points by hand."""

import reflex as rx

from epoint_ui.components import card, empty_state, error_callout, field, text_input
from epoint_ui.components.merchant_frame import done_note
from epoint_ui.pages.guard import merchant_page
from epoint_ui.pages.merchant.frame import owners_page
from epoint_ui.states.merchant_members import REASONS
from epoint_ui.states.merchant_members import MembersState as M
from loyalty.bounds import DESCRIPTION_LENGTH


def _row(member: rx.Var) -> rx.Component:
    return card(
        rx.hstack(
            rx.vstack(
                rx.text(member["name"], weight="bold"),
                rx.text(member["tier"], " · ", member["lifetime"], " earned here in all", size="2"),
                rx.text("Last activity ", member["last_activity"], size="1"),
                rx.cond(member["expiry"], rx.text(member["expiry"], size="1")),
                spacing="1",
            ),
            rx.vstack(
                rx.text(member["balance"], " pts", weight="bold", size="4"),
                rx.button(
                    "Adjust",
                    on_click=M.ask_adjust(member["customer_id"]),
                    aria_label="Adjust the points of " + member["name"].to(str),
                    variant="outline",
                    type="button",
                ),
                align="end",
                spacing="2",
            ),
            justify="between",
            width="100%",
        ),
        class_name="member-row",
        data_customer=member["customer_id"],
    )


def _adjust_dialog() -> rx.Component:
    row = M.adjust_row
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Adjust the points of ", row["name"].to(str)),
            rx.dialog.description(
                "Add points as a gesture of goodwill, or correct a mistake. The entry keeps "
                "your name and the reason, and the customer sees it in their history.",
                size="2",
            ),
            rx.vstack(
                rx.segmented_control.root(
                    rx.segmented_control.item("Add", value="add"),
                    rx.segmented_control.item("Remove", value="remove"),
                    value=M.direction,
                    on_change=M.set_direction,
                    aria_label="Add or remove points",
                    width="100%",
                ),
                field(
                    "Points",
                    text_input(
                        "adjust_points",
                        value=M.points,
                        on_change=M.set_points,
                        input_mode="numeric",
                        auto_complete="off",
                    ),
                    "adjust_points",
                ),
                field(
                    "Reason",
                    rx.el.select(
                        *[rx.el.option(label, value=value) for value, label in REASONS],
                        id="adjust_reason",
                        value=M.reason,
                        on_change=M.set_reason,
                        padding="0.5em",
                        width="100%",
                    ),
                    "adjust_reason",
                ),
                field(
                    "Note (optional)",
                    text_input(
                        "adjust_note",
                        value=M.note,
                        on_change=M.set_note,
                        max_length=DESCRIPTION_LENGTH.high,
                    ),
                    "adjust_note",
                ),
                rx.text(M.adjust_preview, size="2", id="adjust-preview", aria_live="polite"),
                rx.box(error_callout(M.adjust_error), id="adjust-error", width="100%"),
                rx.hstack(
                    rx.dialog.close(
                        rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                    ),
                    rx.button(
                        "Save adjustment",
                        loading=M.saving,
                        on_click=M.adjust,
                        type="button",
                    ),
                    justify="end",
                    spacing="3",
                    width="100%",
                ),
                spacing="3",
                margin_top="1em",
            ),
        ),
        open=M.adjust_open,
        on_open_change=lambda _open: M.cancel_adjust(),
    )


@merchant_page(route="/merchant/members", title="Members · ePoint", loaders=[M.load])
def members() -> rx.Component:
    """The members page (the owner's)."""
    return owners_page(
        rx.vstack(
            done_note(M.notice, "members-notice"),
            error_callout(M.error),
            rx.cond(
                M.items,
                rx.vstack(rx.foreach(M.items, _row), width="100%", id="member-list"),
                rx.cond(
                    ~M.loading,
                    empty_state(
                        "users", "No members yet", "Customers appear here after their first visit."
                    ),
                ),
            ),
            rx.cond(
                M.next_cursor,
                rx.button("Show more", on_click=M.load_more, loading=M.loading, variant="soft"),
            ),
            _adjust_dialog(),
            spacing="3",
            width="100%",
        ),
        title="Members",
        current="/merchant/members",
    )

"""My businesses: pick the one to work on, leave one I staff, answer invitations, or
register a new one."""

import reflex as rx

from epoint_ui.components import (
    card,
    empty_state,
    error_callout,
    field,
    page_shell,
    primary_button,
    row_danger_button,
    secondary_button,
    text_input,
)
from epoint_ui.components.dialogs import confirm_dialog
from epoint_ui.components.merchant_frame import done_note
from epoint_ui.pages.guard import merchant_page
from epoint_ui.states.invitations import InvitationsState
from epoint_ui.states.merchant import CATEGORIES, CURRENCIES, MerchantState
from epoint_ui.states.merchant_register import MerchantRegisterState
from loyalty.bounds import NAME_LENGTH


def _business_row(business: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(business["name"], weight="bold"),
            rx.text(
                business["category"], " · ", business["role"], size="2", color=rx.color("gray", 11)
            ),
            spacing="0",
        ),
        rx.hstack(
            rx.cond(
                business["role"] == "staff",
                row_danger_button(
                    "Leave",
                    "Leave " + business["name"].to(str),
                    on_click=MerchantState.ask_leave(business["merchant_id"]),
                ),
            ),
            rx.button(
                "Open",
                on_click=MerchantState.switch_to(business["merchant_id"]),
                aria_label="Open " + business["name"].to(str),
                variant="soft",
            ),
            spacing="2",
        ),
        justify="between",
        align="center",
        width="100%",
        class_name="business-row",
    )


def _leave_dialog() -> rx.Component:
    return confirm_dialog(
        rx.fragment("Leave ", MerchantState.leave_name, "?"),
        "You will no longer scan customers or see the ledger of ",
        MerchantState.leave_name,
        ". Its owner can invite you again.",
        error=MerchantState.error,
        keep="Stay",
        confirm="Leave",
        working=MerchantState.leaving,
        on_confirm=MerchantState.leave,
        is_open=MerchantState.confirm_leave != "",
        on_dismiss=MerchantState.keep_working(),
    )


def _invitation_row(invitation: rx.Var) -> rx.Component:
    busy = InvitationsState.answering == invitation["token"]
    return rx.hstack(
        rx.vstack(
            rx.text(invitation["merchant_name"], weight="bold"),
            rx.text(
                invitation["invited_by"],
                " invites you to its staff (until ",
                invitation["expires"],
                ")",
                size="2",
                color=rx.color("gray", 11),
            ),
            spacing="0",
        ),
        rx.hstack(
            rx.button(
                "Decline",
                on_click=InvitationsState.decline(invitation["token"]),
                aria_label="Decline " + invitation["merchant_name"].to(str),
                variant="outline",
                color_scheme="gray",
                disabled=busy,
                type="button",
            ),
            rx.button(
                "Accept",
                on_click=InvitationsState.accept(invitation["token"]),
                aria_label="Accept " + invitation["merchant_name"].to(str),
                loading=busy,
                type="button",
            ),
            spacing="2",
        ),
        justify="between",
        align="center",
        wrap="wrap",
        width="100%",
        class_name="invitation-row",
    )


def _invitations() -> rx.Component:
    return rx.fragment(
        done_note(InvitationsState.notice),
        error_callout(InvitationsState.error),
        rx.cond(
            InvitationsState.invitations,
            card(
                rx.heading("Invitations", as_="h2", size="4"),
                rx.text(
                    "Staff scan customers' codes and see the ledger. You join only if you accept.",
                    size="2",
                ),
                rx.foreach(InvitationsState.invitations, _invitation_row),
                rx.cond(
                    InvitationsState.cursor,
                    secondary_button("More invitations", on_click=InvitationsState.load_more),
                ),
                id="invitations",
            ),
        ),
    )


def _select(control_id: str, options: list[str], default: str) -> rx.Component:
    return rx.el.select(
        *[rx.el.option(option, value=option) for option in options],
        id=control_id,
        name=control_id,
        default_value=default,
        padding="0.5em",
        border=f"1px solid {rx.color('gray', 7)}",
        border_radius="var(--radius-2)",
        width="100%",
    )


def _register_form() -> rx.Component:
    return card(
        rx.heading("Register a business", as_="h2", size="4"),
        rx.text("You become its owner and can invite staff later.", color=rx.color("gray", 11)),
        rx.form(
            rx.vstack(
                field(
                    "Business name",
                    text_input("name", required=True, max_length=NAME_LENGTH.high),
                    "name",
                    error=MerchantRegisterState.name_error,
                ),
                field("Category", _select("category", CATEGORIES, "cafe"), "category"),
                field("Currency", _select("currency", CURRENCIES, "EUR"), "currency"),
                field(
                    "Points per currency unit",
                    text_input("points_per_unit", default_value="1", input_mode="numeric"),
                    "points_per_unit",
                    hint="A 12.50 purchase earns 12 points at 1 point per unit.",
                    error=MerchantRegisterState.rule_error,
                ),
                field(
                    "Minimum purchase for points",
                    text_input("min_purchase", default_value="0", input_mode="decimal"),
                    "min_purchase",
                ),
                error_callout(MerchantRegisterState.error),
                primary_button("Register business", loading=MerchantRegisterState.saving),
                spacing="3",
                width="100%",
            ),
            on_submit=MerchantRegisterState.register,
            width="100%",
        ),
    )


@merchant_page(
    route="/merchant",
    title="My businesses · ePoint",
    loaders=[MerchantState.load_businesses, InvitationsState.load],
)
def businesses() -> rx.Component:
    """The businesses I own or staff, invitations waiting for me, and the register form."""
    return page_shell(
        error_callout(MerchantState.error),
        done_note(MerchantState.notice),
        _invitations(),
        rx.cond(
            MerchantState.businesses,
            card(
                rx.heading("Your businesses", as_="h2", size="4"),
                rx.foreach(MerchantState.businesses, _business_row),
                rx.cond(
                    MerchantState.businesses_cursor,
                    secondary_button(
                        "More businesses",
                        loading=MerchantState.loading_more,
                        on_click=MerchantState.load_more_businesses,
                    ),
                ),
            ),
            rx.cond(
                MerchantState.loaded,
                empty_state(
                    "store",
                    "No business yet",
                    "Register your business below to start giving points at the till, "
                    "or accept an invitation to a business's staff.",
                ),
            ),
        ),
        _leave_dialog(),
        _register_form(),
        title="My businesses",
        current="/merchant",
    )

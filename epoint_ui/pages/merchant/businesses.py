"""My businesses: pick the one to work on, or register a new one."""

import reflex as rx

from epoint_ui.components import (
    card,
    empty_state,
    error_callout,
    field,
    page_shell,
    primary_button,
    text_input,
)
from epoint_ui.pages.guard import merchant_page
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
        rx.button(
            "Open",
            on_click=MerchantState.switch_to(business["merchant_id"]),
            aria_label="Open " + business["name"].to(str),
            variant="soft",
        ),
        justify="between",
        align="center",
        width="100%",
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
        rx.text("You become its owner and can add staff later.", color=rx.color("gray", 11)),
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


@merchant_page(route="/merchant", title="My businesses · ePoint")
def businesses() -> rx.Component:
    """The businesses I own or staff, and the register form."""
    return page_shell(
        error_callout(MerchantState.error),
        rx.cond(
            MerchantState.businesses,
            card(
                rx.heading("Your businesses", as_="h2", size="4"),
                rx.foreach(MerchantState.businesses, _business_row),
            ),
            rx.cond(
                MerchantState.loaded,
                empty_state(
                    "store",
                    "No business yet",
                    "Register your business below to start giving points at the till.",
                ),
            ),
        ),
        _register_form(),
        title="My businesses",
        current="/merchant",
    )

"""Settings (owner only): name, category, time zone, the earning rule, the tiers (with a
live preview) and points expiry."""

import reflex as rx

from epoint_ui.components import (
    card,
    error_callout,
    field,
    primary_button,
    text_input,
)
from epoint_ui.components.merchant_frame import done_note
from epoint_ui.pages.guard import merchant_page
from epoint_ui.pages.merchant.frame import owners_page
from epoint_ui.states.merchant import CATEGORIES, MerchantState
from epoint_ui.states.merchant_settings import MerchantSettingsState as S
from loyalty.bounds import EXPIRY_MONTHS, NAME_LENGTH, TIER_COUNT
from loyalty.catalog import time_zones


def _tier_row(tier: rx.Var, index: rx.Var) -> rx.Component:
    n = index + 1
    return rx.hstack(
        rx.input(
            value=tier["name"],
            on_change=lambda v: S.set_tier(index, "name", v),
            max_length=NAME_LENGTH.high,
            aria_label=f"Tier {n} name",
            flex="2",
        ),
        rx.input(
            value=tier["threshold"],
            on_change=lambda v: S.set_tier(index, "threshold", v),
            aria_label=f"Tier {n} points needed",
            input_mode="numeric",
            flex="1",
        ),
        rx.input(
            value=tier["multiplier_pct"],
            on_change=lambda v: S.set_tier(index, "multiplier_pct", v),
            aria_label=f"Tier {n} multiplier in percent",
            input_mode="numeric",
            flex="1",
        ),
        rx.icon_button(
            rx.icon("trash_2", aria_hidden="true"),
            on_click=S.remove_tier(index),
            disabled=index == 0,
            aria_label=f"Remove tier {n}",
            variant="soft",
            color_scheme="red",
            type="button",
        ),
        width="100%",
        align="center",
    )


def _form() -> rx.Component:
    return rx.vstack(
        card(
            rx.heading("Business", as_="h2", size="4"),
            field(
                "Name",
                text_input("name", value=S.name, on_change=S.set_name, max_length=NAME_LENGTH.high),
                "name",
            ),
            field(
                "Category",
                rx.el.select(
                    *[rx.el.option(c, value=c) for c in CATEGORIES],
                    id="category",
                    value=S.category,
                    on_change=S.set_category,
                    padding="0.5em",
                    width="100%",
                ),
                "category",
            ),
            field(
                "Time zone",
                rx.el.select(
                    *[rx.el.option(zone.replace("_", " "), value=zone) for zone in time_zones()],
                    id="time_zone",
                    value=S.time_zone,
                    on_change=S.set_time_zone,
                    padding="0.5em",
                    width="100%",
                ),
                "time_zone",
                hint="Promotions run on this clock (days and times where the business is).",
            ),
        ),
        card(
            rx.heading("Earning rule", as_="h2", size="4"),
            field(
                "Points per currency unit (" + MerchantState.currency + ")",
                text_input(
                    "points_per_unit",
                    value=S.points_per_unit,
                    on_change=S.set_points_per_unit,
                    input_mode="numeric",
                ),
                "points_per_unit",
            ),
            field(
                "Minimum purchase for points",
                text_input(
                    "min_purchase",
                    value=S.min_purchase,
                    on_change=S.set_min_purchase,
                    input_mode="decimal",
                ),
                "min_purchase",
            ),
        ),
        card(
            rx.heading("Tiers", as_="h2", size="4"),
            rx.text(
                "Customers move up by the points they have earned here. The multiplier is in percent: 125 gives 1.25x points.",
                size="2",
            ),
            rx.hstack(
                rx.text("Name", flex="2", size="1"),
                rx.text("Points needed", flex="1", size="1"),
                rx.text("Multiplier %", flex="1", size="1"),
                rx.box(width="2.5em"),
                width="100%",
                aria_hidden="true",
            ),
            rx.foreach(S.tiers, _tier_row),
            rx.button(
                "Add a tier",
                on_click=S.add_tier,
                disabled=S.tiers.length() >= TIER_COUNT.high,
                variant="soft",
                type="button",
            ),
        ),
        card(
            rx.heading("What staff may award without you", as_="h2", size="4"),
            rx.text(
                "Staff see a refusal above these, and you award those points yourself."
                " They do not apply to you.",
                size="2",
            ),
            field(
                "Largest purchase staff may award (" + MerchantState.currency + ")",
                text_input(
                    "staff_max_purchase",
                    value=S.staff_max_purchase,
                    on_change=S.set_staff_max_purchase,
                    input_mode="decimal",
                ),
                "staff_max_purchase",
            ),
            field(
                "Points each staff member may award per day",
                text_input(
                    "staff_daily_points",
                    value=S.staff_daily_points,
                    on_change=S.set_staff_daily_points,
                    input_mode="numeric",
                ),
                "staff_daily_points",
            ),
        ),
        card(
            rx.heading("Points expiry", as_="h2", size="4"),
            field(
                "Months without a visit before points expire",
                text_input(
                    "expiry_months",
                    value=S.expiry_months,
                    on_change=S.set_expiry_months,
                    input_mode="numeric",
                    placeholder="Never",
                ),
                "expiry_months",
                hint=f"{EXPIRY_MONTHS.low} to {EXPIRY_MONTHS.high} months, or empty: points never expire.",
            ),
            rx.text(S.expiry_summary, size="2", id="expiry-summary", aria_live="polite"),
        ),
        card(
            rx.heading("Preview", as_="h2", size="4"),
            field(
                "Purchase amount",
                text_input(
                    "sample_amount",
                    value=S.sample_amount,
                    on_change=S.set_sample_amount,
                    input_mode="decimal",
                ),
                "sample_amount",
            ),
            rx.vstack(
                rx.foreach(S.previews, lambda line: rx.text(line, class_name="preview-line")),
                aria_live="polite",
                spacing="1",
                id="settings-preview",
            ),
        ),
        error_callout(S.error),
        done_note(S.saved),
        primary_button("Save settings", loading=S.saving, on_click=S.save, type="button"),
        spacing="4",
        width="100%",
    )


@merchant_page(route="/merchant/settings", title="Settings · ePoint", loaders=[S.load])
def settings() -> rx.Component:
    """The settings page (the owner's)."""
    return owners_page(
        _form(),
        title="Settings",
        current="/merchant/settings",
    )

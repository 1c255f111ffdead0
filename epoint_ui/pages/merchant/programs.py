"""Programs (owner only): the stamp card and the promotions."""

import reflex as rx

from epoint_ui.components import (
    card,
    error_callout,
    field,
    primary_button,
    row_danger_button,
    text_input,
)
from epoint_ui.components.merchant_frame import done_note
from epoint_ui.components.stamps import stamp_card
from epoint_ui.pages.guard import merchant_page
from epoint_ui.pages.merchant.frame import owners_page
from epoint_ui.states.merchant_programs import KIND_OPTIONS, WEEKDAY_OPTIONS
from epoint_ui.states.merchant_programs import ProgramsState as P
from loyalty.bounds import NAME_LENGTH


def _stamp_card_form() -> rx.Component:
    return card(
        rx.heading("Stamp card", as_="h2", size="4"),
        rx.text(
            "A purchase earns one stamp; a full card is a free reward the till gives, and the "
            "card starts again. One stamp per visit.",
            size="2",
        ),
        rx.checkbox(
            "Run a stamp card",
            checked=P.card_active,
            on_change=P.set_card_active,
            id="card-active",
        ),
        field(
            "Stamps for a free reward",
            text_input(
                "card_stamps",
                value=P.card_stamps,
                on_change=P.set_card_stamps,
                input_mode="numeric",
            ),
            "card_stamps",
        ),
        field(
            "The free reward",
            text_input(
                "card_reward",
                value=P.card_reward,
                on_change=P.set_card_reward,
                max_length=NAME_LENGTH.high,
            ),
            "card_reward",
        ),
        field(
            "Minimum purchase for a stamp",
            text_input(
                "card_min_purchase",
                value=P.card_min_purchase,
                on_change=P.set_card_min_purchase,
                input_mode="decimal",
            ),
            "card_min_purchase",
        ),
        rx.checkbox(
            "Instead of points (purchases earn stamps only)",
            checked=P.card_replaces_points,
            on_change=P.set_card_replaces_points,
            id="card-replaces-points",
        ),
        stamp_card(
            P.stamp_slots,
            "A full card: " + P.card_stamps + " stamps for a " + P.card_reward,
            "card-preview",
        ),
        error_callout(P.card_error),
        done_note(P.card_saved, "card-saved"),
        primary_button(
            "Save stamp card", loading=P.card_saving, on_click=P.save_card, type="button"
        ),
    )


def _weekday(option: tuple[str, str]) -> rx.Component:
    number, name = option
    return rx.checkbox(
        name,
        checked=P.form_weekdays.contains(number),
        on_change=lambda on: P.toggle_weekday(number, on),
        aria_label=f"Runs on {name}",
    )


def _promotion_form() -> rx.Component:
    return card(
        rx.heading(rx.cond(P.editing_id, "Edit promotion", "Add a promotion"), as_="h2", size="4"),
        rx.text(
            "Days and times are on the business's clock (" + P.time_zone + ", in Settings). "
            "When several promotions run at once, the one that gives the most points applies.",
            size="2",
        ),
        field(
            "Name",
            text_input(
                "promotion_name",
                value=P.form_name,
                on_change=P.set_form_name,
                max_length=NAME_LENGTH.high,
                placeholder="Double Tuesdays",
            ),
            "promotion_name",
        ),
        field(
            "What it gives",
            rx.el.select(
                *[rx.el.option(label, value=kind) for kind, label in KIND_OPTIONS],
                id="promotion_kind",
                value=P.form_kind,
                on_change=P.set_form_kind,
                padding="0.5em",
                width="100%",
            ),
            "promotion_kind",
        ),
        field(
            "Amount",
            text_input(
                "promotion_amount",
                value=P.form_amount,
                on_change=P.set_form_amount,
                input_mode="numeric",
            ),
            "promotion_amount",
            hint=P.amount_label,
        ),
        rx.hstack(
            field(
                "First day",
                text_input(
                    "promotion_starts",
                    type="date",
                    value=P.form_starts_on,
                    on_change=P.set_form_starts_on,
                ),
                "promotion_starts",
            ),
            field(
                "Last day (optional)",
                text_input(
                    "promotion_ends",
                    type="date",
                    value=P.form_ends_on,
                    on_change=P.set_form_ends_on,
                ),
                "promotion_ends",
            ),
            width="100%",
        ),
        rx.el.fieldset(
            rx.el.legend("Weekdays (none: every day)", font_weight="500"),
            rx.flex(*[_weekday(o) for o in WEEKDAY_OPTIONS], wrap="wrap", gap="3"),
            border="none",
            padding="0",
            margin="0",
        ),
        rx.hstack(
            field(
                "From (optional)",
                text_input(
                    "promotion_from",
                    value=P.form_from,
                    on_change=P.set_form_from,
                    placeholder="16:00",
                ),
                "promotion_from",
            ),
            field(
                "Until (optional)",
                text_input(
                    "promotion_until",
                    value=P.form_until,
                    on_change=P.set_form_until,
                    placeholder="18:00",
                ),
                "promotion_until",
            ),
            width="100%",
        ),
        error_callout(P.form_error),
        rx.hstack(
            primary_button(
                rx.cond(P.editing_id, "Save promotion", "Add promotion"),
                loading=P.saving,
                on_click=P.save,
                disabled=P.promotions_full & ~P.editing_id.bool(),
                type="button",
            ),
            rx.cond(
                P.editing_id,
                rx.button(
                    "Cancel", on_click=P.cancel_edit, variant="soft", size="3", type="button"
                ),
            ),
            width="100%",
        ),
    )


def _promotion_row(p: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(
                rx.text(p["name"], weight="bold"),
                rx.badge(
                    p["status"],
                    color_scheme=rx.match(
                        p["status"], ("running", "green"), ("scheduled", "blue"), "gray"
                    ),
                ),
                align="center",
            ),
            rx.text(p["description"], size="2"),
            spacing="0",
        ),
        rx.hstack(
            rx.button(
                "Edit",
                on_click=P.edit(p["promotion_id"]),
                variant="soft",
                aria_label="Edit " + p["name"].to(str),
                type="button",
            ),
            row_danger_button(
                "Delete",
                "Delete " + p["name"].to(str),
                loading=P.busy_id == p["promotion_id"],
                on_click=P.delete(p["promotion_id"]),
            ),
        ),
        justify="between",
        align="center",
        width="100%",
        class_name="promotion-row",
    )


def _programs() -> rx.Component:
    return rx.vstack(
        _stamp_card_form(),
        _promotion_form(),
        done_note(P.notice, "promotion-saved"),
        error_callout(P.error),
        card(
            rx.heading("Promotions", as_="h2", size="4"),
            rx.cond(
                P.promotions,
                rx.foreach(P.promotions, _promotion_row),
                rx.text("No promotions yet. Add one above.", color=rx.color("gray", 11)),
            ),
        ),
        spacing="4",
        width="100%",
    )


@merchant_page(route="/merchant/programs", title="Programs · ePoint", loaders=[P.load])
def programs() -> rx.Component:
    """The programs page (the owner's): stamp card and promotions."""
    return owners_page(_programs(), title="Programs", current="/merchant/programs")

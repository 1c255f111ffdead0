"""Rewards (owner only): add, edit and retire what customers can redeem."""

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
from epoint_ui.pages.guard import merchant_page
from epoint_ui.pages.merchant.frame import owners_page
from epoint_ui.states.merchant_rewards import MerchantRewardsState as R
from loyalty.bounds import DESCRIPTION_LENGTH, NAME_LENGTH


def _form() -> rx.Component:
    return card(
        rx.heading(rx.cond(R.editing_id, "Edit reward", "Add a reward"), as_="h2", size="4"),
        field(
            "Name",
            text_input(
                "reward_name",
                value=R.form_name,
                on_change=R.set_form_name,
                max_length=NAME_LENGTH.high,
            ),
            "reward_name",
        ),
        field(
            "Description (optional)",
            text_input(
                "reward_description",
                value=R.form_description,
                on_change=R.set_form_description,
                max_length=DESCRIPTION_LENGTH.high,
            ),
            "reward_description",
        ),
        field(
            "Cost in points",
            text_input(
                "reward_cost", value=R.form_cost, on_change=R.set_form_cost, input_mode="numeric"
            ),
            "reward_cost",
        ),
        field(
            "Who may redeem it",
            rx.el.select(
                rx.el.option("Every customer", value=""),
                rx.foreach(
                    R.tier_names,
                    lambda name: rx.el.option(name + " members and up", value=name),
                ),
                id="reward_min_tier",
                value=R.form_min_tier,
                on_change=R.set_form_min_tier,
                padding="0.5em",
                width="100%",
            ),
            "reward_min_tier",
        ),
        error_callout(R.form_error),
        rx.hstack(
            primary_button(
                rx.cond(R.editing_id, "Save reward", "Add reward"),
                loading=R.saving,
                on_click=R.save,
                type="button",
            ),
            rx.cond(
                R.editing_id,
                rx.button(
                    "Cancel", on_click=R.cancel_edit, variant="soft", size="3", type="button"
                ),
            ),
            width="100%",
        ),
    )


def _active_row(reward: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(reward["name"], weight="bold"),
            rx.text(reward["cost_points"], " points · ", reward["description"], size="2"),
            rx.cond(
                reward["min_tier"] != "",
                rx.badge(reward["min_tier"].to(str) + " members only", variant="soft"),
            ),
            spacing="0",
        ),
        rx.hstack(
            rx.button(
                "Edit",
                on_click=R.edit(reward["reward_id"]),
                variant="soft",
                aria_label="Edit " + reward["name"].to(str),
                type="button",
            ),
            row_danger_button(
                "Retire",
                "Retire " + reward["name"].to(str),
                loading=R.busy_id == reward["reward_id"],
                on_click=R.retire(reward["reward_id"]),
            ),
        ),
        justify="between",
        align="center",
        width="100%",
        class_name="reward-row",
    )


def _retired_row(reward: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(
            reward["name"], " (", reward["cost_points"], " points)", color=rx.color("gray", 11)
        ),
        rx.button(
            "Offer again",
            on_click=R.restore(reward["reward_id"]),
            loading=R.busy_id == reward["reward_id"],
            variant="soft",
            aria_label="Offer " + reward["name"].to(str) + " again",
            type="button",
        ),
        justify="between",
        align="center",
        width="100%",
    )


def _catalogue() -> rx.Component:
    return rx.vstack(
        _form(),
        done_note(R.notice),
        error_callout(R.error),
        card(
            rx.heading("Offered now", as_="h2", size="4"),
            rx.cond(
                R.active_rewards,
                rx.foreach(R.active_rewards, _active_row),
                rx.text("No rewards yet. Add one above.", color=rx.color("gray", 11)),
            ),
        ),
        rx.cond(
            R.retired_rewards,
            card(
                rx.heading("Retired", as_="h2", size="4"),
                rx.text("Kept so past redemptions still name them.", size="2"),
                rx.foreach(R.retired_rewards, _retired_row),
            ),
        ),
        spacing="4",
        width="100%",
    )


@merchant_page(route="/merchant/rewards", title="Rewards · ePoint", loaders=[R.load])
def rewards() -> rx.Component:
    """The rewards page (the owner's)."""
    return owners_page(
        _catalogue(),
        title="Rewards",
        current="/merchant/rewards",
    )

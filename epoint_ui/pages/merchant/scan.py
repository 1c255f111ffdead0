"""The till: scan (or type) the customer's code, then award points or redeem a reward; or,
when the customer forgot their phone, a receipt code to claim the points later."""

import reflex as rx

from epoint_ui.components import card, countdown, error_callout, field, primary_button, text_input
from epoint_ui.components.scanner import qr_scanner
from epoint_ui.components.stamps import stamp_card
from epoint_ui.pages.guard import merchant_page
from epoint_ui.pages.merchant.frame import business_page
from epoint_ui.pages.merchant.receipts import forgot_phone_card
from epoint_ui.states.merchant import MerchantState
from epoint_ui.states.merchant_scan import APPROVAL_POLL_S, VISIT_EXPIRED, ScanState


def _scan_block() -> rx.Component:
    return card(
        rx.heading("Scan the customer's code", as_="h2", size="4"),
        rx.cond(
            ScanState.camera_problem,
            rx.callout(
                ScanState.camera_problem,
                icon="camera_off",
                color_scheme="amber",
                high_contrast=True,
                role="alert",
                width="100%",
                id="camera-problem",
            ),
            rx.box(
                qr_scanner(
                    on_scan=ScanState.scanned,
                    on_error=ScanState.camera_failed,
                    paused=ScanState.opening,
                ),
                width="100%",
                max_width="22rem",
                margin_x="auto",
                aria_label="Camera view for scanning the customer's QR code",
                role="region",
            ),
        ),
        rx.form(
            rx.vstack(
                field(
                    "Or type the 6-digit code under the QR code",
                    text_input(
                        "code",
                        value=ScanState.code,
                        on_change=ScanState.set_code,
                        input_mode="numeric",
                        auto_complete="off",
                        max_length=7,
                        placeholder="123456",
                    ),
                    "code",
                ),
                primary_button("Find customer", loading=ScanState.opening),
                spacing="3",
                width="100%",
            ),
            on_submit=ScanState.enter_code,
            width="100%",
        ),
        rx.box(error_callout(ScanState.scan_error), id="scan-error", width="100%"),
    )


def _waiting_block() -> rx.Component:
    return card(
        rx.hstack(
            rx.spinner(size="3"),
            rx.heading("Waiting for the customer", as_="h2", size="4"),
            align="center",
        ),
        rx.text(
            "The customer allows this visit on their phone, on the My code screen."
            " Their name appears here once they do.",
            id="waiting-for-customer",
            role="status",
        ),
        rx.button("Cancel", on_click=ScanState.cancel_waiting, variant="outline", type="button"),
        countdown(
            seconds=APPROVAL_POLL_S,
            serial=ScanState.approval_serial,
            on_done=ScanState.check_approval,
            silent=True,
        ),
    )


def _customer_card() -> rx.Component:
    return card(
        rx.hstack(
            rx.vstack(
                rx.heading(ScanState.customer_name, as_="h2", size="5", id="customer-name"),
                rx.badge(ScanState.tier_name, size="2", id="customer-tier"),
                spacing="1",
            ),
            rx.vstack(
                rx.text(
                    rx.text.span(ScanState.balance, id="customer-balance"),
                    " points",
                    size="6",
                    weight="bold",
                ),
                rx.text(ScanState.lifetime_points, " earned here in all", size="1"),
                align="end",
                spacing="0",
            ),
            justify="between",
            width="100%",
        ),
        rx.cond(
            ScanState.stamp_slots.length() > 0,
            stamp_card(ScanState.stamp_slots, ScanState.stamps_text, "customer-stamps"),
        ),
        rx.cond(
            ScanState.card_full,
            rx.button(
                "Give the free " + ScanState.stamp_card["reward_name"].to(str),
                on_click=ScanState.give_card_reward(ScanState.redeem_key),
                loading=ScanState.redeeming == "stamp_card",
                disabled=ScanState.redeeming != "",
                size="3",
                color_scheme="green",
                type="button",
                id="give-card-reward",
            ),
        ),
        rx.button("Next customer", on_click=ScanState.new_scan, variant="outline", type="button"),
    )


def _award_block() -> rx.Component:
    return card(
        rx.heading("Award points for a purchase", as_="h2", size="4"),
        rx.cond(
            ScanState.earned,
            rx.text("Points for this visit have been awarded.", id="award-done"),
            rx.form(
                rx.vstack(
                    field(
                        "Purchase total (" + ScanState.currency + ")",
                        text_input(
                            "amount",
                            value=ScanState.amount,
                            on_change=ScanState.set_amount,
                            input_mode="decimal",
                            auto_complete="off",
                            placeholder="12.50",
                        ),
                        "amount",
                        error=ScanState.amount_error,
                    ),
                    rx.el.input(type="hidden", name="key", value=ScanState.award_key),
                    rx.text(ScanState.preview, id="award-preview", aria_live="polite"),
                    primary_button("Award points", loading=ScanState.awarding),
                    spacing="3",
                    width="100%",
                ),
                on_submit=ScanState.award,
                width="100%",
            ),
        ),
    )


def _reward_row(reward: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(reward["name"], weight="bold"),
            rx.text(reward["cost_points"], " points", size="2"),
            spacing="0",
        ),
        rx.button(
            "Redeem",
            on_click=ScanState.redeem(reward["reward_id"], ScanState.redeem_key),
            loading=ScanState.redeeming == reward["reward_id"],
            disabled=ScanState.redeeming != "",
            aria_label="Redeem " + reward["name"].to(str),
            size="3",
            type="button",
        ),
        justify="between",
        align="center",
        width="100%",
    )


def _locked_row(reward: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.icon("lock", aria_hidden="true", color=rx.color("gray", 11)),
        rx.vstack(
            rx.text(reward["name"], weight="bold"),
            rx.text(reward["reason"], size="2", color=rx.color("gray", 11)),
            spacing="0",
        ),
        align="center",
        width="100%",
        class_name="locked-reward",
    )


def _redeem_block() -> rx.Component:
    return card(
        rx.heading("Redeem a reward", as_="h2", size="4"),
        rx.cond(
            ScanState.affordable,
            rx.vstack(rx.foreach(ScanState.affordable, _reward_row), width="100%"),
            rx.text("The customer's points don't cover a reward yet.", color=rx.color("gray", 11)),
        ),
        rx.cond(
            ScanState.locked,
            rx.vstack(rx.foreach(ScanState.locked, _locked_row), width="100%"),
        ),
    )


def _receipt(receipt: rx.Var) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.icon("receipt", aria_hidden="true", color=rx.color("green", 11)),
            rx.text(receipt["title"], weight="bold"),
            align="center",
        ),
        rx.text(rx.text.span(receipt["points"], class_name="receipt-points"), " points"),
        rx.cond(
            receipt["detail"] != "",
            rx.text(receipt["detail"], class_name="receipt-detail", size="2"),
        ),
        rx.text("New balance: ", rx.text.span(receipt["balance"], class_name="receipt-balance")),
        rx.text("Transaction ", rx.code(receipt["tx_id"], class_name="receipt-tx"), size="1"),
        role="status",
        class_name="receipt",
        width="100%",
        padding="1em",
        border_radius="var(--radius-3)",
        background=rx.color("green", 3),
        color=rx.color("green", 12),
    )


def _visit_block() -> rx.Component:
    return rx.vstack(
        _customer_card(),
        rx.box(error_callout(ScanState.action_error), id="action-error", width="100%"),
        rx.foreach(ScanState.receipts, _receipt),
        _award_block(),
        _redeem_block(),
        spacing="4",
        width="100%",
    )


def _expired_block() -> rx.Component:
    return card(
        rx.callout(
            VISIT_EXPIRED,
            icon="timer_off",
            color_scheme="amber",
            high_contrast=True,
            role="alert",
            id="visit-expired",
        ),
        rx.foreach(ScanState.receipts, _receipt),
        primary_button("Scan a new code", on_click=ScanState.new_scan, type="button"),
    )


@merchant_page(route="/merchant/scan", title="Scan · ePoint")
def scan() -> rx.Component:
    """The scan page."""
    return business_page(
        error_callout(MerchantState.error),
        rx.cond(
            ScanState.visit_id,
            rx.cond(
                ScanState.visit_expired,
                _expired_block(),
                rx.fragment(
                    _visit_block(),
                    countdown(
                        seconds=ScanState.visit_left_s,
                        serial=ScanState.visit_serial,
                        on_done=ScanState.visit_ran_out,
                        silent=True,
                    ),
                ),
            ),
            rx.cond(
                ScanState.waiting_for,
                _waiting_block(),
                rx.vstack(_scan_block(), forgot_phone_card(), spacing="4", width="100%"),
            ),
        ),
        title="Scan",
        current="/merchant/scan",
    )

"""Receipts' claim codes: the till's "customer forgot their phone" card (on the scan page)
and the Receipts page (recent codes; void one when its sale is refunded)."""

import reflex as rx

from epoint_ui.components import (
    card,
    empty_state,
    error_callout,
    field,
    primary_button,
    row_danger_button,
    secondary_button,
    text_input,
)
from epoint_ui.components.merchant_frame import done_note
from epoint_ui.pages.guard import merchant_page
from epoint_ui.pages.merchant.frame import business_page
from epoint_ui.states.merchant import MerchantState
from epoint_ui.states.receipt_codes import ReceiptCodeState as R

# Only the code block on paper: the rest of the page is hidden when printing.
_PRINT_STYLE = """
@media print {
  body * { visibility: hidden; }
  .receipt-code-print, .receipt-code-print * { visibility: visible; }
  .receipt-code-print { position: absolute; inset: 0 auto auto 0; width: 100%; }
  .no-print { display: none !important; }
}
"""


def _issued() -> rx.Component:
    return rx.vstack(
        rx.el.style(_PRINT_STYLE),
        rx.box(
            rx.text("Points for this purchase", size="2"),
            rx.text(MerchantState.business_name, weight="bold"),
            rx.text(R.code_amount, size="3"),
            rx.text(
                R.code,
                id="receipt-code",
                size="8",
                weight="bold",
                font_family="monospace",
                letter_spacing="0.08em",
                white_space="nowrap",
            ),
            rx.text(
                "Claim them in ePoint: Claim points, type this code. Valid until ",
                R.code_valid_until,
                ".",
                size="2",
            ),
            class_name="receipt-code-print",
            role="status",
            padding="1em",
            border=f"2px dashed {rx.color('gray', 8)}",
            border_radius="var(--radius-3)",
            width="100%",
            text_align="center",
        ),
        rx.hstack(
            rx.button(
                rx.icon("printer", aria_hidden="true"),
                "Print",
                # Compiled into the page's script (the CSP forbids inline and eval'd script).
                custom_attrs={"onClick": rx.Var("(() => window.print())")},
                type="button",
                size="3",
                variant="soft",
            ),
            secondary_button("Next sale", on_click=R.done),
            class_name="no-print",
            width="100%",
            justify="between",
        ),
        width="100%",
        spacing="3",
    )


def forgot_phone_card() -> rx.Component:
    """The till's way to close a sale without a scan: a code for the receipt."""
    return card(
        rx.heading("Customer forgot their phone?", as_="h2", size="4"),
        rx.cond(
            R.code,
            _issued(),
            rx.form(
                rx.vstack(
                    rx.text(
                        "Close the sale with a code on the receipt: the customer claims the "
                        "points later in the app.",
                        size="2",
                    ),
                    field(
                        "Purchase total (" + MerchantState.currency + ")",
                        text_input(
                            "receipt_amount",
                            name="amount",
                            value=R.amount,
                            on_change=R.set_amount,
                            input_mode="decimal",
                            auto_complete="off",
                            placeholder="12.50",
                        ),
                        "receipt_amount",
                        error=R.amount_error,
                    ),
                    rx.text(R.preview, size="2", aria_live="polite"),
                    error_callout(R.error),
                    primary_button("Get a receipt code", loading=R.issuing),
                    spacing="3",
                    width="100%",
                ),
                on_submit=R.issue,
                width="100%",
            ),
        ),
        id="forgot-phone",
    )


def _row(item: rx.Var) -> rx.Component:
    return card(
        rx.hstack(
            rx.vstack(
                rx.text(item["amount"], weight="bold"),
                rx.text(
                    "Issued ", item["issued"], " · valid until ", item["valid_until"], size="1"
                ),
                rx.code(item["claim_id"], size="1"),
                spacing="1",
            ),
            rx.vstack(
                rx.badge(item["status"], color_scheme=rx.cond(item["open"], "green", "gray")),
                rx.cond(
                    item["open"],
                    row_danger_button(
                        "Void",
                        "Void receipt code " + item["claim_id"].to(str),
                        loading=R.voiding == item["claim_id"],
                        on_click=R.void(item["claim_id"]),
                    ),
                ),
                align="end",
                spacing="2",
            ),
            justify="between",
            width="100%",
        ),
        class_name="receipt-code-row",
        data_claim=item["claim_id"],
    )


@merchant_page(route="/merchant/receipts", title="Receipt codes · ePoint", loaders=[R.load])
def receipts() -> rx.Component:
    """The business's receipt codes of the last 7 days."""
    return business_page(
        rx.text(
            "Codes printed on receipts when the customer had no phone. Void one if its sale "
            "is refunded before the customer claims it.",
            size="2",
        ),
        done_note(R.notice),
        error_callout(R.list_error),
        rx.cond(
            R.items,
            rx.vstack(rx.foreach(R.items, _row), width="100%", id="receipt-codes"),
            rx.cond(
                ~R.loading,
                empty_state("receipt", "No receipt codes", "Codes from the last 7 days show here."),
            ),
        ),
        rx.cond(
            R.next_cursor,
            rx.button("Show older", on_click=R.load_more, loading=R.loading, variant="soft"),
        ),
        title="Receipt codes",
        current="/merchant/receipts",
    )

"""The ledger: the business's transactions, newest first; reverse one behind a confirmation."""

import reflex as rx

from epoint_ui.components import card, empty_state, error_callout, row_danger_button
from epoint_ui.components.dialogs import confirm_dialog
from epoint_ui.components.merchant_frame import done_note
from epoint_ui.pages.guard import merchant_page
from epoint_ui.pages.merchant.frame import business_page
from epoint_ui.states.merchant_ledger import KINDS, LedgerState


def _filter() -> rx.Component:
    return rx.segmented_control.root(
        *[rx.segmented_control.item(label, value=kind) for kind, label in KINDS.items()],
        value=LedgerState.kind,
        on_change=LedgerState.filter_by,
        aria_label="Show transactions of kind",
        width="100%",
    )


def _row(tx: rx.Var) -> rx.Component:
    return card(
        rx.hstack(
            rx.vstack(
                rx.text(tx["customer"], weight="bold"),
                rx.text(tx["detail"], size="2"),
                rx.text(
                    tx["when"], " · ", rx.code(tx["tx_id"]), size="1", color=rx.color("gray", 11)
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.text(tx["points"], " pts", weight="bold", size="4"),
                rx.cond(
                    tx["reversible"],
                    row_danger_button(
                        "Reverse",
                        "Reverse transaction " + tx["tx_id"].to(str),
                        on_click=LedgerState.ask_reverse(tx["tx_id"]),
                    ),
                    rx.cond(tx["reversed"], rx.badge("Reversed", color_scheme="gray")),
                ),
                align="end",
                spacing="2",
            ),
            justify="between",
            width="100%",
        ),
        class_name="ledger-row",
        data_tx=tx["tx_id"],
        data_kind=tx["kind"],
    )


def _confirm_dialog() -> rx.Component:
    row = LedgerState.confirm_row
    return confirm_dialog(
        "Reverse this transaction?",
        row["points"].to(str),
        " points for ",
        row["customer"].to(str),
        " (",
        row["detail"].to(str),
        "). The customer's balance changes by the opposite amount. This cannot be undone.",
        error=LedgerState.reverse_error,
        error_id="reverse-error",
        keep="Keep it",
        confirm="Reverse",
        working=LedgerState.reversing,
        on_confirm=LedgerState.reverse,
        is_open=LedgerState.confirm_open,
        on_dismiss=LedgerState.cancel_reverse(),
    )


@merchant_page(route="/merchant/ledger", title="Ledger · ePoint", loaders=[LedgerState.load])
def ledger() -> rx.Component:
    """The ledger page."""
    return business_page(
        _filter(),
        rx.box(done_note(LedgerState.notice), id="ledger-notice", width="100%"),
        error_callout(LedgerState.error),
        rx.cond(
            LedgerState.items,
            rx.vstack(rx.foreach(LedgerState.items, _row), width="100%", id="ledger-list"),
            rx.cond(
                ~LedgerState.loading,
                empty_state("receipt", "No transactions", "Awards and redemptions show up here."),
            ),
        ),
        rx.cond(
            LedgerState.next_cursor,
            rx.button(
                "Show older",
                on_click=LedgerState.load_more,
                loading=LedgerState.loading,
                variant="soft",
            ),
        ),
        _confirm_dialog(),
        title="Ledger",
        current="/merchant/ledger",
    )

"""History: the customer's ledger."""

import reflex as rx

from epoint_ui.components import card, empty_state, error_callout, page_shell
from epoint_ui.components.merchant_frame import done_note
from epoint_ui.pages.guard import signed_in_page
from epoint_ui.states.history import HistoryState
from epoint_ui.states.views import HistoryRow


def _row(row: HistoryRow) -> rx.Component:
    return rx.el.li(
        card(
            rx.hstack(
                rx.vstack(
                    rx.text(row.title, weight="medium"),
                    rx.text(row.business, size="2", color=rx.color("gray", 11)),
                    spacing="0",
                ),
                rx.text(
                    row.points,
                    weight="bold",
                    color=rx.cond(row.positive, rx.color("green", 11), rx.color("red", 11)),
                ),
                justify="between",
                width="100%",
            ),
            rx.cond(row.detail != "", rx.text(row.detail, size="2")),
            rx.hstack(
                rx.text(row.when, size="1", color=rx.color("gray", 11)),
                rx.text(
                    "Balance " + row.balance_after.to_string(), size="1", color=rx.color("gray", 11)
                ),
                rx.cond(row.reversed, rx.badge("Refunded", color_scheme="orange")),
                rx.cond(row.disputed, rx.badge("Reported", color_scheme="red")),
                justify="between",
                width="100%",
            ),
            rx.cond(
                row.disputable,
                rx.button(
                    "Not me? Report it",
                    on_click=HistoryState.dispute(row.tx_id, row.merchant_id),
                    loading=HistoryState.disputing == row.tx_id,
                    aria_label="Report this redemption as not yours",
                    variant="soft",
                    color_scheme="red",
                    size="1",
                    type="button",
                ),
            ),
        ),
        list_style="none",
    )


def _filter() -> rx.Component:
    return rx.vstack(
        rx.el.label("Business", html_for="business-filter", font_weight="500"),
        rx.el.select(
            rx.el.option("All businesses", value=""),
            rx.foreach(
                HistoryState.options,
                lambda b: rx.el.option(b.name, value=b.merchant_id),
            ),
            id="business-filter",
            value=HistoryState.merchant_id,
            on_change=HistoryState.filter_by,
            style={"padding": "0.5em", "font_size": "1em", "width": "100%"},
        ),
        spacing="1",
        width="100%",
    )


def _pager() -> rx.Component:
    return rx.el.nav(
        rx.hstack(
            rx.button(
                "Newer",
                on_click=HistoryState.newer,
                disabled=HistoryState.page <= 1,
                loading=HistoryState.loading,
                variant="soft",
                type="button",
            ),
            rx.text("Page " + HistoryState.page.to_string(), size="2"),
            rx.button(
                "Older",
                on_click=HistoryState.older,
                disabled=~HistoryState.has_older,
                loading=HistoryState.loading,
                variant="soft",
                type="button",
            ),
            justify="between",
            align="center",
            width="100%",
        ),
        aria_label="Pages",
        width="100%",
    )


@signed_in_page(route="/history", title="History · ePoint", loaders=[HistoryState.load])
def history() -> rx.Component:
    """The ledger, newest first."""
    return page_shell(
        _filter(),
        error_callout(HistoryState.error),
        done_note(HistoryState.notice),
        rx.cond(
            HistoryState.loaded,
            rx.cond(
                HistoryState.rows.length() > 0,
                rx.vstack(
                    rx.el.ul(
                        rx.foreach(HistoryState.rows, _row),
                        padding="0",
                        margin="0",
                        width="100%",
                        style={"display": "flex", "flex_direction": "column", "gap": "0.75em"},
                    ),
                    _pager(),
                    width="100%",
                ),
                empty_state(
                    "history",
                    "Nothing here yet",
                    "Every purchase, reward and refund at a business appears here.",
                ),
            ),
            rx.cond(HistoryState.loading, rx.spinner(size="3", aria_label="Loading history")),
        ),
        title="History",
        current="/history",
    )

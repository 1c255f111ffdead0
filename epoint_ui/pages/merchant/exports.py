"""Exports (owner only): the ledger and the members of a date range, as CSV files."""

import reflex as rx

from epoint_ui.components import card, error_callout, field, text_input
from epoint_ui.components.merchant_frame import done_note
from epoint_ui.pages.guard import merchant_page
from epoint_ui.pages.merchant.frame import owners_page
from epoint_ui.states.merchant_exports import ExportsState as X


def _download_button(label: str, kind: str) -> rx.Component:
    return rx.button(
        rx.icon("download", aria_hidden="true"),
        label,
        on_click=X.download(kind),
        loading=X.downloading == kind,
        disabled=X.downloading != "",
        size="3",
        type="button",
        id=f"download-{kind}",
    )


@merchant_page(route="/merchant/exports", title="Exports · ePoint", loaders=[X.load])
def exports() -> rx.Component:
    """The exports page (the owner's)."""
    return owners_page(
        rx.vstack(
            card(
                rx.heading("Days", as_="h2", size="4"),
                rx.hstack(
                    field(
                        "From",
                        text_input(
                            "export_from",
                            type="date",
                            value=X.first_day,
                            on_change=X.set_first_day,
                        ),
                        "export_from",
                    ),
                    field(
                        "To (included)",
                        text_input(
                            "export_to", type="date", value=X.last_day, on_change=X.set_last_day
                        ),
                        "export_to",
                    ),
                    width="100%",
                    spacing="3",
                ),
            ),
            card(
                rx.heading("Download as CSV", as_="h2", size="4"),
                rx.text(
                    "The ledger: every award, redemption, refund, adjustment and expiry of "
                    "those days. The members: everyone active here in those days, with their "
                    "balance, lifetime points, tier and last visit. For a spreadsheet or "
                    "your accountant.",
                    size="2",
                ),
                rx.hstack(
                    _download_button("Ledger", "ledger"),
                    _download_button("Members", "members"),
                    spacing="3",
                    wrap="wrap",
                ),
            ),
            rx.box(error_callout(X.error), id="export-error", width="100%"),
            done_note(X.done, "export-done"),
            spacing="4",
            width="100%",
        ),
        title="Exports",
        current="/merchant/exports",
    )

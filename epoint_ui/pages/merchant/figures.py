"""Figures: points issued and redeemed, visits, unique and returning customers, stamps, a
chart, and the points each promotion added."""

import reflex as rx

from epoint_ui.components import card, error_callout
from epoint_ui.pages.guard import merchant_page
from epoint_ui.pages.merchant.frame import business_page
from epoint_ui.states.merchant_figures import FiguresState


def _figure(label: str, value: rx.Var, figure_id: str) -> rx.Component:
    return card(
        rx.text(label, size="2", color=rx.color("gray", 11)),
        rx.text(value, size="7", weight="bold", id=figure_id),
    )


def _chart() -> rx.Component:
    return rx.el.figure(
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
            rx.recharts.x_axis(data_key="date"),
            rx.recharts.y_axis(),
            rx.recharts.graphing_tooltip(),
            rx.recharts.legend(),
            rx.recharts.bar(data_key="issued", name="Points issued", fill=rx.color("accent", 9)),
            rx.recharts.bar(data_key="redeemed", name="Points redeemed", fill=rx.color("amber", 9)),
            data=FiguresState.daily,
            width="100%",
            height=260,
        ),
        rx.el.figcaption("Points issued and redeemed per day", font_size="0.9em"),
        aria_label="Chart of points issued and redeemed per day",
        margin="0",
        width="100%",
    )


def _by_promotion() -> rx.Component:
    return card(
        rx.heading("Points per promotion", as_="h2", size="4"),
        rx.cond(
            FiguresState.promotions,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Promotion"),
                        rx.table.column_header_cell("Points added"),
                        rx.table.column_header_cell("Purchases"),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        FiguresState.promotions,
                        lambda p: rx.table.row(
                            rx.table.row_header_cell(p["name"]),
                            rx.table.cell(p["points_issued"]),
                            rx.table.cell(p["purchases"]),
                            class_name="promotion-figures",
                        ),
                    )
                ),
                width="100%",
            ),
            rx.text("No promotion applied in this period.", color=rx.color("gray", 11)),
        ),
        id="fig-promotions",
    )


@merchant_page(route="/merchant/figures", title="Figures · ePoint", loaders=[FiguresState.load])
def figures() -> rx.Component:
    """The figures page."""
    return business_page(
        rx.segmented_control.root(
            rx.segmented_control.item("Last 7 days", value="7"),
            rx.segmented_control.item("Last 30 days", value="30"),
            value=FiguresState.days,
            on_change=FiguresState.choose_period,
            aria_label="Period",
        ),
        error_callout(FiguresState.error),
        rx.grid(
            _figure("Points issued", FiguresState.points_issued, "fig-issued"),
            _figure("Points redeemed", FiguresState.points_redeemed, "fig-redeemed"),
            _figure("Visits", FiguresState.visits, "fig-visits"),
            _figure("Customers", FiguresState.unique_customers, "fig-customers"),
            _figure("Returning customers", FiguresState.returning_customers, "fig-returning"),
            _figure("Stamps given", FiguresState.stamps_issued, "fig-stamps"),
            _figure("Stamp cards redeemed", FiguresState.stamp_cards_redeemed, "fig-cards"),
            columns=rx.breakpoints(initial="2", sm="3"),
            spacing="3",
            width="100%",
        ),
        _chart(),
        _by_promotion(),
        title="Figures",
        current="/merchant/figures",
    )

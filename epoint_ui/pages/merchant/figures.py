"""Figures: points issued and redeemed, visits, unique and returning customers, and a chart."""

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
            _figure(
                "Points to your own staff", FiguresState.staff_customer_points, "fig-staff-points"
            ),
            _figure("Disputed by customers", FiguresState.disputed, "fig-disputed"),
            columns=rx.breakpoints(initial="2", sm="3"),
            spacing="3",
            width="100%",
        ),
        _chart(),
        title="Figures",
        current="/merchant/figures",
    )

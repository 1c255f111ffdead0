"""Businesses: the directory, by category."""

import reflex as rx

from epoint_ui.components import card, empty_state, error_callout, page_shell
from epoint_ui.pages.guard import signed_in_page
from epoint_ui.states.businesses import BusinessesState, CategoryGroup
from epoint_ui.states.views import CATEGORY_LABELS, Business


def _business(b: Business) -> rx.Component:
    return card(
        rx.heading(b.name, as_="h3", size="4"),
        rx.text(b.earning, size="2"),
        rx.foreach(b.programs, lambda line: rx.text(line, size="2", class_name="business-program")),
        rx.cond(
            b.rewards.length() > 0,
            rx.el.ul(
                rx.foreach(b.rewards, lambda r: rx.el.li(rx.text(r, size="2"))),
                padding_left="1.2em",
                margin="0",
            ),
            rx.text("No rewards listed yet.", size="2", color=rx.color("gray", 11)),
        ),
    )


def _group(g: CategoryGroup) -> rx.Component:
    return rx.el.section(
        rx.heading(g.name, as_="h2", size="5", margin_bottom="0.5em"),
        rx.vstack(rx.foreach(g.businesses, _business), spacing="3", width="100%"),
        width="100%",
    )


@signed_in_page(route="/businesses", title="Businesses · ePoint", loaders=[BusinessesState.load])
def businesses() -> rx.Component:
    """Who takes ePoint, what they give and how you earn."""
    return page_shell(
        rx.vstack(
            rx.el.label("Category", html_for="category-filter", font_weight="500"),
            rx.el.select(
                rx.el.option("All categories", value=""),
                *[rx.el.option(label, value=key) for key, label in CATEGORY_LABELS.items()],
                id="category-filter",
                value=BusinessesState.category,
                on_change=BusinessesState.choose_category,
                style={"padding": "0.5em", "font_size": "1em", "width": "100%"},
            ),
            spacing="1",
            width="100%",
        ),
        error_callout(BusinessesState.error),
        rx.cond(
            BusinessesState.loaded,
            rx.cond(
                BusinessesState.groups.length() > 0,
                rx.vstack(rx.foreach(BusinessesState.groups, _group), spacing="5", width="100%"),
                empty_state("store", "No businesses here yet", "Try another category."),
            ),
            rx.cond(BusinessesState.loading, rx.spinner(size="3", aria_label="Loading businesses")),
        ),
        title="Businesses",
        current="/businesses",
    )

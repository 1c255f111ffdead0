"""Page shells: skip link, header, navigation and the main landmark, mobile-first.

On a phone the signed-in navigation is a bar at the bottom (thumb reach); from the
`sm` breakpoint up it moves into the header.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from epoint_ui.components.links import link, text_link


@dataclass(frozen=True)
class NavLink:
    """One entry of the signed-in navigation."""

    label: str
    href: str
    icon: str


NAV_LINKS: list[NavLink] = [
    NavLink("Wallet", "/wallet", "wallet"),
    NavLink("My code", "/code", "qr_code"),
    NavLink("History", "/history", "history"),
    NavLink("Claim", "/claim", "receipt"),
    NavLink("Businesses", "/businesses", "store"),
    NavLink("Profile", "/profile", "user"),
    NavLink("Shop", "/merchant", "briefcase"),
]

_CONTENT_WIDTH = "40rem"


def _skip_link() -> rx.Component:
    return rx.el.a(
        "Skip to content",
        href="#main",
        class_name="skip-link",
        style={
            "position": "absolute",
            "left": "-999px",
            "top": "0",
            "background": "white",
            "padding": "0.5em 1em",
            "z_index": "100",
            "&:focus": {"left": "0.5em"},
        },
    )


def _brand() -> rx.Component:
    return link(
        rx.hstack(
            rx.icon("badge_percent", size=24, aria_hidden="true"),
            rx.text("ePoint", weight="bold", size="5"),
            align="center",
            spacing="2",
        ),
        href="/",
        underline="none",
        aria_label="ePoint home",
        color=rx.color("accent", 11),
    )


def _nav_item(item: NavLink, current: str, compact: bool) -> rx.Component:
    is_current = item.href == current
    return link(
        rx.flex(
            rx.icon(item.icon, size=20, aria_hidden="true"),
            rx.text(item.label, size="1" if compact else "2", white_space="nowrap"),
            direction="column" if compact else "row",
            align="center",
            # Radix's spacing scale (a unitless CSS `gap` would be dropped by the browser).
            spacing="1" if compact else "2",
        ),
        href=item.href,
        underline="none",
        aria_current="page" if is_current else None,
        color=rx.color("accent", 12) if is_current else rx.color("gray", 11),
        weight="bold" if is_current else "regular",
        # On a phone every entry gets an equal share of the bar, however many there are.
        padding="0.5em 0.1em" if compact else "0.5em",
        flex="1 1 0" if compact else None,
        min_width="0",
        text_align="center",
    )


def _main(*children: rx.Component, title: str) -> rx.Component:
    return rx.el.main(
        rx.vstack(
            rx.heading(title, as_="h1", size="6"),
            *children,
            spacing="4",
            width="100%",
            max_width=_CONTENT_WIDTH,
            margin_x="auto",
        ),
        id="main",
        tab_index=-1,
        padding="1em",
        padding_bottom="6em",
        width="100%",
    )


def _header(nav: rx.Component) -> rx.Component:
    # The top bar of every page: the brand on the left, `nav` on the right.
    return rx.el.header(
        rx.hstack(
            _brand(),
            nav,
            justify="between",
            align="center",
            width="100%",
            max_width="64rem",
            margin_x="auto",
        ),
        padding="0.75em 1em",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
    )


def page_shell(*children: rx.Component, title: str, current: str = "") -> rx.Component:
    """A signed-in page: header, navigation (bottom bar on a phone) and the main content."""
    return rx.box(
        _skip_link(),
        _header(
            rx.el.nav(
                rx.hstack(*[_nav_item(item, current, compact=False) for item in NAV_LINKS]),
                aria_label="Main",
                display=["none", "none", "block"],
            )
        ),
        _main(*children, title=title),
        rx.el.nav(
            rx.hstack(
                *[_nav_item(item, current, compact=True) for item in NAV_LINKS],
                spacing="0",
                width="100%",
            ),
            aria_label="Main (phone)",
            display=["block", "block", "none"],
            position="fixed",
            bottom="0",
            left="0",
            right="0",
            padding="0.25em 0.5em",
            background=rx.color("gray", 1),
            border_top=f"1px solid {rx.color('gray', 5)}",
            z_index="10",
        ),
        min_height="100vh",
    )


def public_shell(
    *children: rx.Component, title: str, signed_in: rx.Var[bool] | bool = False
) -> rx.Component:
    """A page for visitors (landing, sign-in, sign-up): brand, sign-in/up links, content."""
    return rx.box(
        _skip_link(),
        _header(
            rx.el.nav(
                rx.cond(
                    signed_in,
                    text_link("My wallet", "/wallet"),
                    rx.hstack(
                        text_link("Sign in", "/sign-in"),
                        text_link("Sign up", "/sign-up"),
                        spacing="4",
                    ),
                ),
                aria_label="Account",
            )
        ),
        _main(*children, title=title),
        min_height="100vh",
    )

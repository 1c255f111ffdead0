"""My code: the QR code and the short code to show at the till."""

import reflex as rx

from epoint_ui.components import card, error_callout, page_shell
from epoint_ui.components.countdown import countdown
from epoint_ui.pages.guard import signed_in_page
from epoint_ui.states.my_code import MyCodeState


def _code() -> rx.Component:
    return rx.vstack(
        rx.cond(
            MyCodeState.qr_src != "",
            rx.image(
                src=MyCodeState.qr_src,
                alt="Your one-time QR code. Show it to the cashier.",
                width="min(80vw, 320px)",
                height="auto",
                background="white",
            ),
            rx.skeleton(width="min(80vw, 320px)", height="min(80vw, 320px)"),
        ),
        rx.text("Or tell the cashier this code:", size="2", color=rx.color("gray", 11)),
        rx.text(
            MyCodeState.short_code,
            size="8",
            weight="bold",
            letter_spacing="0.2em",
            font_family="monospace",
            data_testid="short-code",
        ),
        rx.text(
            "New code in ",
            countdown(seconds=MyCodeState.code_life_s, serial=MyCodeState.code_serial),
            " s",
            size="2",
            color=rx.color("gray", 11),
            data_testid="countdown",
        ),
        align="center",
        spacing="2",
        width="100%",
    )


def _paused() -> rx.Component:
    return card(
        rx.text("Your code is paused to save battery.", size="4"),
        rx.button("Show a new code", size="3", on_click=MyCodeState.new_code, type="button"),
    )


def _scanned() -> rx.Component:
    return card(
        rx.hstack(
            rx.icon("circle_check", size=32, color=rx.color("green", 11), aria_hidden="true"),
            rx.heading(MyCodeState.scanned_message, as_="h2", size="5"),
            align="center",
        ),
        rx.text(MyCodeState.balance_message, size="4"),
        rx.button("Show a new code", size="3", on_click=MyCodeState.new_code, type="button"),
    )


@signed_in_page(route="/code", title="My code · ePoint", loaders=[MyCodeState.show])
def my_code() -> rx.Component:
    """The code page; it stops renewing the code once the customer has left it."""
    return page_shell(
        rx.box(
            error_callout(MyCodeState.error),
            # A live region that is in the page from the start, so the scan is announced
            # (and not the countdown, which sits outside it).
            rx.box(rx.cond(MyCodeState.scanned, _scanned()), role="status", width="100%"),
            rx.cond(
                MyCodeState.scanned,
                rx.fragment(),
                rx.cond(MyCodeState.paused, _paused(), _code()),
            ),
            # Both are idempotent (OnScreen): Strict Mode's remount in dev keeps the loop.
            on_mount=MyCodeState.show,
            on_unmount=MyCodeState.hide,
            width="100%",
        ),
        title="My code",
        current="/code",
    )

"""My code: the QR code and the short code to show at the till."""

import reflex as rx

from epoint_ui.components import card, error_callout, notice_callout, page_shell
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


def _asking() -> rx.Component:
    """A till typed this code: the customer allows the visit, or says it was not them."""
    return card(
        rx.heading(
            # The business's name as text: whatever it is called, it renders as words.
            rx.text.span(MyCodeState.asking_business, id="asking-business"),
            " wants to scan your code",
            as_="h2",
            size="5",
        ),
        rx.text("Allow it only if you are at its till right now.", size="3"),
        rx.hstack(
            rx.button(
                "Allow",
                size="3",
                on_click=MyCodeState.answer_scan(True),
                loading=MyCodeState.answering,
                type="button",
            ),
            rx.button(
                "Not me",
                size="3",
                variant="outline",
                color_scheme="red",
                on_click=MyCodeState.answer_scan(False),
                disabled=MyCodeState.answering,
                type="button",
            ),
            spacing="3",
        ),
        role="alertdialog",
        aria_label="A business wants to scan your code",
        id="asking",
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
            rx.cond(MyCodeState.asking_business != "", _asking()),
            notice_callout(MyCodeState.answer_notice),
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

"""Landing: what ePoint is, and the way in."""

import reflex as rx

from epoint_ui.components import card, link, notice_callout, public_shell
from epoint_ui.states.session import ACCOUNT_DELETED, SIGNED_OUT, SessionState


def _step(icon: str, title: str, text: str) -> rx.Component:
    return card(
        rx.hstack(
            rx.icon(icon, size=28, aria_hidden="true", color=rx.color("accent", 11)),
            rx.heading(title, as_="h2", size="4"),
            align="center",
        ),
        rx.text(text),
    )


@rx.page(
    route="/",
    title="ePoint: loyalty points at the shops you love",
    on_load=SessionState.check_signed_in,
)
def landing() -> rx.Component:
    """The front page."""
    return public_shell(
        rx.cond(
            (SessionState.notice == SIGNED_OUT) | (SessionState.notice == ACCOUNT_DELETED),
            notice_callout(SessionState.notice),
        ),
        rx.text(
            "Collect points every time you buy at your favourite café, bakery or shop, "
            "and turn them into rewards. One wallet for all of them.",
            size="4",
        ),
        rx.cond(
            SessionState.signed_in,
            link(rx.button("Open my wallet", size="3", width="100%"), href="/wallet", width="100%"),
            rx.vstack(
                link(
                    rx.button("Create an account", size="3", width="100%"),
                    href="/sign-up",
                    width="100%",
                ),
                link(
                    rx.button("Sign in", size="3", variant="soft", width="100%"),
                    href="/sign-in",
                    width="100%",
                ),
                width="100%",
            ),
        ),
        _step(
            "smartphone",
            "Show your code",
            "At the till, open My code. The shop scans it in a second.",
        ),
        _step(
            "coins",
            "Collect points",
            "Points follow each shop's own rule, and grow faster as you climb tiers.",
        ),
        _step(
            "gift", "Enjoy rewards", "Your wallet shows which rewards your points already cover."
        ),
        title="Loyalty points at the shops you love",
        signed_in=SessionState.signed_in,
    )

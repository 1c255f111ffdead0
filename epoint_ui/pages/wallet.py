"""Wallet: what the customer has at each business."""

import reflex as rx

from epoint_ui.components import card, empty_state, error_callout, link, page_shell, text_link
from epoint_ui.components.stamps import stamp_card
from epoint_ui.pages.guard import signed_in_page
from epoint_ui.states.views import WalletCard
from epoint_ui.states.wallet import WalletState

# The cards on screen are from the last visit until this visit's load answers: the client
# marks the page not hydrated the moment it navigates, and the load sets `loading`.
_REFRESHING = ~rx.State.is_hydrated | WalletState.loading


def _membership(m: WalletCard) -> rx.Component:
    return card(
        rx.hstack(
            rx.vstack(
                rx.heading(m.name, as_="h2", size="4"),
                rx.text(m.category, color=rx.color("gray", 11), size="2"),
                spacing="0",
            ),
            rx.skeleton(rx.badge(m.tier, size="2", variant="soft"), loading=_REFRESHING),
            justify="between",
            width="100%",
        ),
        # A placeholder, not the old number: after a redemption the old balance would be wrong.
        rx.skeleton(
            rx.text(rx.text.strong(m.balance.to_string()), " points", size="6"),
            loading=_REFRESHING,
        ),
        rx.cond(
            m.expiry_notice != "",
            rx.callout(
                m.expiry_notice,
                icon="hourglass",
                color_scheme="amber",
                high_contrast=True,
                size="1",
                width="100%",
                class_name="expiry-notice",
            ),
        ),
        rx.cond(
            m.next_tier != "",
            rx.vstack(
                rx.progress(
                    value=m.progress_pct,
                    max=100,
                    aria_label="Progress to " + m.next_tier,
                    width="100%",
                ),
                rx.text(
                    m.points_needed.to_string() + " more points to " + m.next_tier,
                    size="2",
                    color=rx.color("gray", 11),
                ),
                width="100%",
                spacing="1",
            ),
            rx.text("Top tier reached", size="2", color=rx.color("gray", 11)),
        ),
        rx.cond(m.stamp_slots.length() > 0, stamp_card(m.stamp_slots, m.stamps_text)),
        rx.cond(
            m.rewards.length() > 0,
            rx.vstack(
                rx.text("Your points cover:", size="2", weight="medium"),
                rx.el.ul(
                    rx.foreach(m.rewards, lambda r: rx.el.li(rx.text(r, size="2"))),
                    padding_left="1.2em",
                    margin="0",
                ),
                spacing="1",
            ),
        ),
        rx.cond(
            m.locked.length() > 0,
            rx.vstack(
                rx.text("For higher tiers:", size="2", weight="medium"),
                rx.el.ul(
                    rx.foreach(
                        m.locked,
                        lambda r: rx.el.li(
                            rx.hstack(
                                rx.icon("lock", size=14, aria_hidden="true"),
                                rx.text(r, size="2"),
                                align="center",
                                spacing="1",
                            ),
                            class_name="locked-reward",
                        ),
                    ),
                    padding_left="0",
                    list_style="none",
                    margin="0",
                ),
                spacing="1",
            ),
        ),
        rx.cond(
            m.promotions.length() > 0,
            rx.vstack(
                rx.text("Promotions:", size="2", weight="medium"),
                rx.el.ul(
                    rx.foreach(
                        m.promotions,
                        lambda p: rx.el.li(rx.text(p, size="2"), class_name="wallet-promotion"),
                    ),
                    padding_left="1.2em",
                    margin="0",
                ),
                spacing="1",
            ),
        ),
        class_name="membership",
    )


@signed_in_page(route="/wallet", title="Wallet · ePoint", loaders=[WalletState.load])
def wallet() -> rx.Component:
    """One card per business."""
    return page_shell(
        error_callout(WalletState.error),
        rx.cond(
            WalletState.loaded,
            rx.cond(
                WalletState.cards.length() > 0,
                rx.vstack(
                    rx.cond(
                        _REFRESHING,
                        rx.hstack(
                            rx.spinner(size="2"),
                            rx.text("Updating your balances…", size="2"),
                            align="center",
                            role="status",
                        ),
                    ),
                    rx.foreach(WalletState.cards, _membership),
                    aria_busy=_REFRESHING,
                    width="100%",
                    spacing="3",
                ),
                empty_state(
                    "wallet",
                    "No points yet",
                    "Buy something at a business that uses ePoint and show your code at the "
                    "till: your points appear here.",
                    link(rx.button("Show my code", size="3"), href="/code"),
                    text_link("See which businesses take ePoint", "/businesses"),
                ),
            ),
            rx.cond(WalletState.loading, rx.spinner(size="3", aria_label="Loading your wallet")),
        ),
        title="Wallet",
        current="/wallet",
    )

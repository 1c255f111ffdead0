"""Claim points: type the code printed on a receipt (when the phone stayed at home)."""

import reflex as rx

from epoint_ui.components import (
    card,
    error_callout,
    field,
    link,
    page_shell,
    primary_button,
    text_input,
)
from epoint_ui.components.merchant_frame import done_note
from epoint_ui.pages.guard import signed_in_page
from epoint_ui.states.claim import ClaimState
from loyalty import claim_codes


@signed_in_page(route="/claim", title="Claim points · ePoint", loaders=[ClaimState.load])
def claim() -> rx.Component:
    """The claim page."""
    return page_shell(
        rx.text(
            "Forgot your phone at the till? Ask for a code on the receipt, then type it here "
            f"within {claim_codes.VALID_DAYS} days: the points land on your card at that "
            "business.",
        ),
        card(
            rx.form(
                rx.vstack(
                    field(
                        "Code on the receipt",
                        text_input(
                            "claim_code",
                            name="code",
                            value=ClaimState.code,
                            on_change=ClaimState.set_code,
                            auto_complete="off",
                            auto_capitalize="characters",
                            spell_check=False,
                            placeholder="7K3M-Q9XA-2HPD",
                            max_length=32,
                            font_family="monospace",
                        ),
                        "claim_code",
                        hint=f"{claim_codes.LENGTH} letters and digits; dashes and spaces "
                        "do not matter.",
                    ),
                    primary_button("Claim points", loading=ClaimState.claiming),
                    spacing="3",
                    width="100%",
                ),
                on_submit=ClaimState.claim,
                width="100%",
            ),
        ),
        rx.box(error_callout(ClaimState.error), id="claim-error", width="100%"),
        rx.box(done_note(ClaimState.claimed), id="claim-done", width="100%"),
        rx.cond(ClaimState.claimed, link(rx.button("See my wallet", size="3"), href="/wallet")),
        title="Claim points",
        current="/claim",
    )

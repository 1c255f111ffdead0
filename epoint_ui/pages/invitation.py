"""The page an invitation email links to: which business invites me, and Accept / Decline.

The token is a query parameter (`/invitation?token=...`), not a path segment: the export is
static files, and the host answers unknown paths with the 404 page. A signed-out visitor
signs in first and comes back here with the token.
"""

import reflex as rx

from epoint_ui.components import card, error_callout, page_shell, text_link
from epoint_ui.components.merchant_frame import done_note
from epoint_ui.pages.guard import signed_in_page
from epoint_ui.states.invitations import InvitationsState as I


def _invitation() -> rx.Component:
    token = I.invitation["token"]
    return card(
        rx.heading(I.invitation["merchant_name"], as_="h2", size="5", id="invitation-business"),
        rx.text(
            I.invitation["invited_by"],
            " invites you to join the staff of ",
            I.invitation["merchant_name"],
            ": you would scan customers' codes, award and redeem points, and see its ledger.",
        ),
        rx.text(
            "The invitation is open until ",
            I.invitation["expires"],
            ".",
            color=rx.color("gray", 11),
        ),
        rx.hstack(
            rx.button(
                "Decline",
                on_click=I.decline(token),
                variant="outline",
                color_scheme="gray",
                size="3",
                disabled=I.answering != "",
                type="button",
            ),
            rx.button(
                "Accept",
                on_click=I.accept(token),
                loading=I.answering == token,
                size="3",
                type="button",
            ),
            spacing="3",
            justify="end",
            width="100%",
        ),
    )


@signed_in_page(route="/invitation", title="Invitation · ePoint", loaders=[I.open_link])
def invitation() -> rx.Component:
    """One invitation, from its emailed link."""
    return page_shell(
        error_callout(I.error),
        done_note(I.notice),
        rx.cond(I.has_invitation, _invitation()),
        text_link("All invitations and businesses", "/merchant"),
        title="Invitation",
        current="/merchant",
    )

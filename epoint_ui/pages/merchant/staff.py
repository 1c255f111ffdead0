"""Staff (owner only): who may scan customers and see the ledger, and who is invited to."""

import reflex as rx

from epoint_ui.components import (
    card,
    error_callout,
    field,
    primary_button,
    row_danger_button,
    text_input,
)
from epoint_ui.components.merchant_frame import done_note
from epoint_ui.pages.guard import merchant_page
from epoint_ui.pages.merchant.frame import owners_page
from epoint_ui.states.merchant_staff import MerchantStaffState as T


def _member(member: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(member["name"], weight="bold"),
            rx.text(member["email"], " · ", member["role"], size="2"),
            spacing="0",
        ),
        rx.cond(
            member["role"] == "owner",
            rx.badge("Owner"),
            row_danger_button(
                "Remove",
                "Remove " + member["email"].to(str),
                loading=T.removing == member["user_id"],
                on_click=T.remove(member["user_id"]),
            ),
        ),
        justify="between",
        align="center",
        width="100%",
        class_name="staff-row",
    )


def _invitation(invitation: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(invitation["email"], weight="bold"),
            rx.text("Waiting for an answer until ", invitation["expires"], size="2"),
            spacing="0",
        ),
        row_danger_button(
            "Cancel",
            "Cancel the invitation to " + invitation["email"].to(str),
            loading=T.removing == invitation["invitation_id"],
            on_click=T.cancel(invitation["invitation_id"]),
        ),
        justify="between",
        align="center",
        width="100%",
        class_name="invitation-row",
    )


def _staff() -> rx.Component:
    return rx.vstack(
        card(
            rx.heading("Invite staff", as_="h2", size="4"),
            rx.text(
                "Staff can scan customers and see the ledger; only you change settings, rewards "
                "and staff. They join once they accept your invitation.",
                size="2",
            ),
            field(
                "Their email",
                text_input("staff_email", type="email", value=T.email, on_change=T.set_email),
                "staff_email",
            ),
            primary_button("Send invitation", loading=T.adding, on_click=T.add, type="button"),
        ),
        done_note(T.notice),
        error_callout(T.error),
        rx.cond(
            T.invitations,
            card(
                rx.heading("Invitations waiting", as_="h2", size="4"),
                rx.foreach(T.invitations, _invitation),
            ),
        ),
        card(
            rx.heading("Team", as_="h2", size="4"),
            rx.cond(
                T.staff,
                rx.foreach(T.staff, _member),
                rx.text("Nobody but you yet.", color=rx.color("gray", 11)),
            ),
        ),
        spacing="4",
        width="100%",
    )


@merchant_page(route="/merchant/staff", title="Staff · ePoint", loaders=[T.load])
def staff() -> rx.Component:
    """The staff page (the owner's)."""
    return owners_page(
        _staff(),
        title="Staff",
        current="/merchant/staff",
    )

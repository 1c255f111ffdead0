"""Profile: display name, email, sign out."""

import reflex as rx

from epoint_ui.components import (
    card,
    error_callout,
    field,
    notice_callout,
    page_shell,
    primary_button,
    text_input,
)
from epoint_ui.pages.guard import signed_in_page
from epoint_ui.pages.session_cookie import cookie_step
from epoint_ui.states.profile import ProfileState
from epoint_ui.states.session import SessionState
from loyalty.bounds import DISPLAY_NAME_LENGTH


@signed_in_page(route="/profile", title="Profile · ePoint", loaders=[ProfileState.load])
def profile() -> rx.Component:
    """The customer's profile."""
    return page_shell(
        cookie_step(),
        card(
            rx.text("Email", weight="medium"),
            rx.text(ProfileState.email, data_testid="profile-email"),
        ),
        rx.form(
            rx.vstack(
                field(
                    "Display name",
                    text_input(
                        "display_name",
                        default_value=ProfileState.display_name,
                        key=ProfileState.display_name,
                        max_length=DISPLAY_NAME_LENGTH.high,
                        required=True,
                        auto_complete="name",
                    ),
                    "display_name",
                    hint="Businesses greet you by this name.",
                ),
                error_callout(ProfileState.error),
                notice_callout(ProfileState.saved),
                primary_button("Save", loading=ProfileState.saving),
                spacing="4",
                width="100%",
            ),
            on_submit=ProfileState.save,
            width="100%",
        ),
        rx.button(
            "Sign out",
            on_click=SessionState.sign_out,
            loading=SessionState.signing_out,
            variant="outline",
            color_scheme="red",
            size="3",
            width="100%",
            type="button",
        ),
        title="Profile",
        current="/profile",
    )

"""Sign in."""

import reflex as rx

from epoint_ui.components import (
    error_callout,
    field,
    notice_callout,
    primary_button,
    public_shell,
    text_input,
    text_link,
)
from epoint_ui.pages.session_cookie import cookie_step
from epoint_ui.states.session import SessionState
from epoint_ui.states.sign_in import SignInState
from epoint_ui.states.sign_up import SignUpState


@rx.page(route="/sign-in", title="Sign in · ePoint", on_load=SessionState.redirect_if_signed_in)
def sign_in() -> rx.Component:
    """The sign-in form."""
    return public_shell(
        cookie_step(),
        notice_callout(SessionState.notice),
        rx.form(
            rx.vstack(
                field(
                    "Email",
                    text_input(
                        "email",
                        type="email",
                        auto_complete="username",
                        required=True,
                        # Just confirmed a new account in this tab: its email is filled in.
                        default_value=SignUpState.email,
                        key=SignUpState.email,
                    ),
                    "email",
                ),
                field(
                    "Password",
                    text_input(
                        "password", type="password", auto_complete="current-password", required=True
                    ),
                    "password",
                ),
                error_callout(SignInState.error),
                rx.cond(
                    SignInState.unconfirmed_email,
                    rx.button(
                        "Enter my confirmation code",
                        type="button",
                        variant="soft",
                        on_click=SignInState.confirm_instead,
                    ),
                ),
                primary_button("Sign in", loading=SignInState.working),
                spacing="4",
                width="100%",
            ),
            on_submit=SignInState.sign_in,
            width="100%",
        ),
        rx.hstack(
            text_link("Forgot your password?", "/forgot-password"),
            text_link("Create an account", "/sign-up"),
            justify="between",
            width="100%",
            wrap="wrap",
        ),
        title="Sign in",
    )

"""Forgot password: ask for a code, then choose a new password."""

import reflex as rx

from epoint_ui.components import (
    code_input,
    error_callout,
    field,
    primary_button,
    public_shell,
    text_input,
)
from epoint_ui.states.password_reset import PasswordResetState


def _request_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Enter your email and we'll send you a code to choose a new password."),
            field(
                "Email",
                text_input("email", type="email", auto_complete="username", required=True),
                "email",
            ),
            error_callout(PasswordResetState.error),
            primary_button("Send me a code", loading=PasswordResetState.working),
            spacing="4",
            width="100%",
        ),
        on_submit=PasswordResetState.request_code,
        width="100%",
    )


def _new_password_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("We sent a code to ", rx.text.strong(PasswordResetState.email), "."),
            field(
                "Code from the email",
                code_input("code"),
                "code",
            ),
            field(
                "New password",
                text_input(
                    "new_password", type="password", auto_complete="new-password", required=True
                ),
                "new_password",
                hint="At least 8 characters, with upper- and lower-case letters and a number.",
            ),
            error_callout(PasswordResetState.error),
            primary_button("Set new password", loading=PasswordResetState.working),
            rx.button(
                "Use another email",
                type="button",
                variant="ghost",
                on_click=PasswordResetState.start_over,
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=PasswordResetState.set_new_password,
        width="100%",
    )


@rx.page(route="/forgot-password", title="Reset your password · ePoint")
def forgot_password() -> rx.Component:
    """The password reset page."""
    return public_shell(
        rx.cond(PasswordResetState.code_sent, _new_password_form(), _request_form()),
        title="Reset your password",
    )

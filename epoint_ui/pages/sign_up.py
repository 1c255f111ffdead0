"""Sign up, then verify the emailed code."""

import reflex as rx

from epoint_ui.auth import PASSWORD_RULES
from epoint_ui.components import (
    code_input,
    countdown,
    error_callout,
    field,
    notice_callout,
    primary_button,
    public_shell,
    secondary_button,
    text_input,
    text_link,
)
from epoint_ui.states.session import SessionState
from epoint_ui.states.sign_up import SignUpState
from loyalty.bounds import DISPLAY_NAME_LENGTH


def _rule(met: rx.Var[bool], text: str) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.cond(
                met,
                rx.icon("circle_check", size=16, color=rx.color("green", 11), aria_hidden="true"),
                rx.icon("circle", size=16, color=rx.color("gray", 11), aria_hidden="true"),
            ),
            rx.text(text),
            rx.cond(met, rx.text("(done)", class_name="sr-only", style=_SR_ONLY)),
            align="center",
            spacing="2",
        ),
        list_style="none",
        data_met=met.to_string(),
    )


_SR_ONLY = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "overflow": "hidden",
    "clip": "rect(0 0 0 0)",
    "white_space": "nowrap",
}


def _password_rules() -> rx.Component:
    met = {
        "length": SignUpState.rule_length,
        "upper": SignUpState.rule_upper,
        "lower": SignUpState.rule_lower,
        "digit": SignUpState.rule_digit,
    }
    return rx.el.ul(
        *[_rule(met[key], text) for key, text in PASSWORD_RULES],
        aria_live="polite",
        padding="0",
        margin="0",
    )


@rx.page(
    route="/sign-up", title="Create an account · ePoint", on_load=SessionState.redirect_if_signed_in
)
def sign_up() -> rx.Component:
    """The sign-up form, with the password rules checked as the user types."""
    return public_shell(
        rx.form(
            rx.vstack(
                field(
                    "Email",
                    text_input("email", type="email", auto_complete="email", required=True),
                    "email",
                ),
                field(
                    "Your name",
                    text_input(
                        "display_name",
                        auto_complete="name",
                        max_length=DISPLAY_NAME_LENGTH.high,
                        required=True,
                    ),
                    "display_name",
                    hint="Businesses greet you by this name.",
                ),
                field(
                    "Password",
                    text_input(
                        "password",
                        type="password",
                        auto_complete="new-password",
                        required=True,
                        on_change=SignUpState.type_password.debounce(150),
                        aria_describedby="password-hint",
                    ),
                    "password",
                    hint=_password_rules(),
                ),
                error_callout(SignUpState.error),
                primary_button("Create account", loading=SignUpState.working),
                spacing="4",
                width="100%",
            ),
            on_submit=SignUpState.sign_up,
            width="100%",
        ),
        rx.text(
            "Already have an account? ",
            text_link("Sign in", "/sign-in"),
        ),
        title="Create an account",
    )


@rx.page(route="/verify", title="Confirm your email · ePoint", on_load=SignUpState.show_cooldown)
def verify() -> rx.Component:
    """The 6-digit code step, with a resend button that cools down."""
    return public_shell(
        rx.cond(
            SignUpState.email,
            rx.text("We sent a 6-digit code to ", rx.text.strong(SignUpState.email), "."),
            rx.text("Enter the email you signed up with and the 6-digit code we sent."),
        ),
        notice_callout(SessionState.notice),
        rx.form(
            rx.vstack(
                rx.cond(
                    SignUpState.email,
                    rx.fragment(),
                    field(
                        "Email",
                        text_input("email", type="email", auto_complete="email"),
                        "email",
                    ),
                ),
                field(
                    "Confirmation code",
                    code_input("code"),
                    "code",
                ),
                error_callout(SignUpState.code_error),
                notice_callout(SignUpState.resent),
                primary_button("Confirm", loading=SignUpState.verifying),
                spacing="4",
                width="100%",
            ),
            on_submit=SignUpState.verify,
            width="100%",
        ),
        secondary_button(
            rx.cond(
                SignUpState.cooling_down,
                rx.fragment(
                    "Send a new code in ",
                    countdown(
                        seconds=SignUpState.resend_wait,
                        serial=SignUpState.resend_serial,
                        on_done=SignUpState.cooldown_over,
                    ),
                    " s",
                ),
                "Send a new code",
            ),
            loading=SignUpState.resending,
            disabled=SignUpState.cooling_down | (SignUpState.email == ""),
            on_click=SignUpState.resend,
            width="100%",
        ),
        rx.text(
            "No code after a few minutes? Check your spam folder. If you already have an "
            "account with this email, ",
            text_link("sign in", "/sign-in"),
            " or ",
            text_link("reset your password", "/forgot-password"),
            " instead.",
            size="2",
            color=rx.color("gray", 11),
        ),
        title="Confirm your email",
    )

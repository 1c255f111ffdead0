"""Profile: display name, email, two-step sign-in, sign out; download my data, delete my account."""

import reflex as rx

from epoint_ui.components import (
    card,
    code_input,
    error_callout,
    field,
    notice_callout,
    page_shell,
    primary_button,
    text_input,
)
from epoint_ui.pages.guard import signed_in_page
from epoint_ui.pages.session_cookie import cookie_step
from epoint_ui.states.account import AccountState
from epoint_ui.states.mail_settings import MailSettingsState
from epoint_ui.states.profile import ProfileState
from epoint_ui.states.session import SessionState
from epoint_ui.states.two_step import TwoStepState
from loyalty.bounds import DISPLAY_NAME_LENGTH


def _password_form(action: str) -> rx.Component:
    return rx.form(
        rx.vstack(
            field(
                "Your password",
                text_input(
                    "two-step-password",
                    name="password",
                    type="password",
                    auto_complete="current-password",
                    required=True,
                ),
                "two-step-password",
                hint="To make sure it is you.",
            ),
            error_callout(TwoStepState.error),
            rx.hstack(
                rx.button(
                    "Cancel", on_click=TwoStepState.cancel, variant="soft", type="button", size="3"
                ),
                primary_button(action, loading=TwoStepState.working, width="auto"),
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=TwoStepState.confirm_password,
        reset_on_submit=True,
        width="100%",
    )


def _scan() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Scan this code with your authenticator app (Google Authenticator, Microsoft "
            "Authenticator, 1Password…), then type the 6-digit code it shows."
        ),
        rx.image(
            src=TwoStepState.qr_src,
            alt="QR code to add ePoint to your authenticator app.",
            width="min(60vw, 240px)",
            height="auto",
            background="white",
        ),
        rx.text("No camera? Type this key into the app instead:", size="2"),
        rx.code(TwoStepState.secret_groups, data_testid="two-step-secret", size="3"),
        rx.form(
            rx.vstack(
                field(
                    "Code from the app",
                    code_input("two-step-code"),
                    "two-step-code",
                ),
                error_callout(TwoStepState.error),
                rx.hstack(
                    rx.button(
                        "Cancel",
                        on_click=TwoStepState.cancel,
                        variant="soft",
                        type="button",
                        size="3",
                    ),
                    primary_button("Turn on", loading=TwoStepState.working, width="auto"),
                    spacing="3",
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=TwoStepState.turn_on,
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _two_step() -> rx.Component:
    return card(
        rx.heading("Two-step sign-in", as_="h2", size="4"),
        rx.text(
            rx.cond(
                TwoStepState.on,
                "On: signing in asks for your password and a code from your authenticator app.",
                "Off: your password alone signs you in. Turn it on so that a stolen password "
                "is not enough.",
            ),
            data_testid="two-step-status",
        ),
        notice_callout(TwoStepState.notice),
        rx.match(
            TwoStepState.stage,
            ("on", _password_form("Continue")),
            ("off", _password_form("Turn off")),
            ("scan", _scan()),
            rx.cond(
                TwoStepState.known,
                rx.cond(
                    TwoStepState.on,
                    rx.button(
                        "Turn off two-step sign-in",
                        on_click=TwoStepState.ask_password("off"),
                        variant="outline",
                        size="3",
                        type="button",
                    ),
                    rx.button(
                        "Turn on two-step sign-in",
                        on_click=TwoStepState.ask_password("on"),
                        size="3",
                        type="button",
                    ),
                ),
                error_callout(TwoStepState.error),
            ),
        ),
        id="two-step",
    )


def _switch(label: str, hint: str, checked, on_change, saving, switch_id: str) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(label, weight="medium"),
            rx.text(hint, size="2", color=rx.color("gray", 11)),
            spacing="0",
        ),
        rx.switch(
            id=switch_id,
            aria_label=label,
            checked=checked,
            on_change=on_change,
            disabled=saving | ~MailSettingsState.loaded,
            size="3",
        ),
        justify="between",
        align="center",
        width="100%",
    )


def _business_receipts(business: rx.Var) -> rx.Component:
    merchant_id = business["merchant_id"].to(str)
    return rx.hstack(
        rx.text(business["merchant_name"].to(str)),
        rx.switch(
            id="receipts-" + merchant_id,
            aria_label="Receipts from " + business["merchant_name"].to(str),
            checked=business["receipts"].to(bool),
            on_change=lambda on: MailSettingsState.set_business_receipts(merchant_id, on),
            disabled=(MailSettingsState.saving != "") | ~MailSettingsState.receipts,
        ),
        justify="between",
        align="center",
        width="100%",
    )


def _emails() -> rx.Component:
    return card(
        rx.heading("Emails", as_="h2", size="4"),
        _switch(
            "Receipts",
            "An email for each purchase, reward and refund.",
            MailSettingsState.receipts,
            MailSettingsState.set_receipts,
            MailSettingsState.saving == "receipts",
            "mail-receipts",
        ),
        rx.cond(
            MailSettingsState.receipts & (MailSettingsState.businesses.length() > 0),
            rx.vstack(
                rx.text("Receipts from", size="2", color=rx.color("gray", 11)),
                rx.foreach(MailSettingsState.businesses, _business_receipts),
                spacing="2",
                width="100%",
                padding_left="1em",
            ),
        ),
        _switch(
            "Reminders",
            "When you can get a reward, and two weeks before points expire (at most one a "
            "week per business).",
            MailSettingsState.reminders,
            MailSettingsState.set_reminders,
            MailSettingsState.saving == "reminders",
            "mail-reminders",
        ),
        error_callout(MailSettingsState.error),
        notice_callout(MailSettingsState.saved),
        id="emails",
    )


def _download_button(label: str, kind: str) -> rx.Component:
    return rx.button(
        label,
        on_click=AccountState.download(kind),
        loading=AccountState.downloading == kind,
        disabled=AccountState.downloading != "",
        variant="soft",
        size="3",
        type="button",
        id=f"download-{kind}",
    )


def _my_data() -> rx.Component:
    return card(
        rx.heading("Your data", as_="h2", size="4"),
        rx.text(
            "Download everything ePoint holds about you: your profile, every membership and "
            "every transaction."
        ),
        error_callout(AccountState.download_error),
        rx.hstack(
            _download_button("Download all (JSON)", "json"),
            _download_button("Transactions (CSV)", "csv"),
            wrap="wrap",
            spacing="3",
        ),
    )


def _delete_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            field(
                "Your password",
                text_input(
                    "delete_password",
                    name="password",
                    type="password",
                    auto_complete="current-password",
                    required=True,
                ),
                "delete_password",
                hint="To be sure it is you, not someone who found your phone unlocked.",
            ),
            error_callout(AccountState.delete_error),
            rx.hstack(
                rx.button(
                    "Delete my account for good",
                    loading=AccountState.deleting,
                    disabled=~rx.State.is_hydrated,
                    color_scheme="red",
                    size="3",
                    type="submit",
                ),
                rx.button(
                    "Keep my account",
                    on_click=AccountState.cancel_delete,
                    variant="soft",
                    color_scheme="gray",
                    size="3",
                    type="button",
                ),
                wrap="wrap",
                spacing="3",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=AccountState.delete_account,
        reset_on_submit=False,
        width="100%",
    )


def _delete_account() -> rx.Component:
    return card(
        rx.heading("Delete my account", as_="h2", size="4"),
        rx.text(
            "Your points at every business are given up, and your name and email are erased. "
            "Businesses keep their records of your visits for their books, shown as "
            '"Deleted customer". You can sign up again with the same email later, '
            "as a new customer."
        ),
        rx.cond(
            AccountState.owned.length() > 0,
            rx.callout(
                rx.text(
                    "You own ",
                    AccountState.owned.join(", "),
                    ". Hand the business over to someone else or close it before deleting "
                    "your account.",
                ),
                icon="info",
                color_scheme="amber",
                high_contrast=True,
                role="status",
                width="100%",
                id="owner-must-hand-over",
            ),
            rx.cond(
                AccountState.confirm_delete,
                _delete_form(),
                rx.button(
                    "Delete my account…",
                    on_click=AccountState.ask_delete,
                    variant="outline",
                    color_scheme="red",
                    size="3",
                    type="button",
                ),
            ),
        ),
    )


@signed_in_page(
    route="/profile",
    title="Profile · ePoint",
    loaders=[ProfileState.load, TwoStepState.load, AccountState.load, MailSettingsState.load],
)
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
        _two_step(),
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
        _emails(),
        _my_data(),
        _delete_account(),
        title="Profile",
        current="/profile",
    )

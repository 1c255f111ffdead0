"""The one module around pycognito: sign-up, confirmation, SRP sign-in, two-step sign-in,
refresh, reset, sign-out.

pycognito and boto3 block, so each public function runs them in a worker thread and is
awaited by the states. Every Cognito failure becomes an `AuthError` with a sentence for
the user; the Cognito error code is kept for logs and tests.

Nothing here tells whether an email has an account: signing up with a taken email
answers like a new sign-up, in the same time (`sign_up`); asking for a code or a reset,
or typing a code, answers the same for every address (the pool's client has
`PreventUserExistenceErrors`, and the few answers it leaves are made alike here).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote

import jwt
from botocore.exceptions import BotoCoreError, ClientError
from pycognito import Cognito
from pycognito.exceptions import SoftwareTokenMFAChallengeException

from epoint_ui.settings import get_settings

log = logging.getLogger(__name__)

PASSWORD_RULES = (
    ("length", "At least 8 characters"),
    ("upper", "An upper-case letter"),
    ("lower", "A lower-case letter"),
    ("digit", "A number"),
)

_MESSAGES = {
    "NotAuthorizedException": "Wrong email or password.",
    "UserNotFoundException": "Wrong email or password.",
    "UserNotConfirmedException": "Your email isn't confirmed yet. Enter the code we sent you.",
    "CodeMismatchException": "That code isn't right. Check the email and try again.",
    "ExpiredCodeException": "That code has expired. Ask for a new one.",
    "InvalidPasswordException": (
        "Choose a stronger password: at least 8 characters with upper- and lower-case "
        "letters and a number."
    ),
    "UsernameExistsException": "An account with this email already exists. Sign in instead.",
    "AliasExistsException": "An account with this email already exists. Sign in instead.",
    "LimitExceededException": "Too many attempts. Please wait a few minutes and try again.",
    "TooManyRequestsException": "Too many attempts. Please wait a moment and try again.",
    "TooManyFailedAttemptsException": "Too many attempts. Please wait a few minutes and try again.",
    "CodeDeliveryFailureException": "We couldn't send the email. Please try again.",
    "InvalidParameterException": "Please check the email address and try again.",
    "EnableSoftwareTokenMFAException": (
        "That code isn't right. Enter the 6-digit code your authenticator app shows now."
    ),
}
_UNKNOWN = "We couldn't reach the sign-in service. Please try again in a moment."
# Typing the code of the second step (the authenticator app), not an emailed one.
_SECOND_STEP_MESSAGES = {
    "CodeMismatchException": (
        "That code isn't right. Enter the 6-digit code your authenticator app shows now."
    ),
    "NotAuthorizedException": "That took too long. Please sign in again.",
}
# Typing an emailed confirmation code: an account that is already confirmed (or none at
# all) gets the same sentence as a wrong code, so the page tells nothing about the address.
_CONFIRM_MESSAGES = {"NotAuthorizedException": _MESSAGES["CodeMismatchException"]}
# What Cognito's SignUp answers for an email that has an account (SignUp is not covered
# by PreventUserExistenceErrors).
_TAKEN = ("UsernameExistsException", "AliasExistsException")

# Signing up answers no sooner than this, whether the email was new or taken: the
# answer's timing must not tell either (a taken email costs Cognito a second call).
SIGN_UP_ANSWER_S = 1.5
# Where an authenticator app files the account ("ePoint: rosa@example.com").
ISSUER = "ePoint"


class AuthError(Exception):
    """A failed sign-in service call, with a sentence for the user."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class SecondStep:
    """The password was right; Cognito now wants a code from the person's authenticator.

    `session` is Cognito's opaque challenge session (3 minutes, several tries): it stays on
    the state server like the tokens do.
    """

    email: str
    session: str


class SecondStepNeeded(AuthError):
    """Signing in needs the code of the person's authenticator app (`answer_second_step`)."""

    def __init__(self, step: SecondStep) -> None:
        super().__init__(
            "Enter the 6-digit code from your authenticator app.", "SOFTWARE_TOKEN_MFA"
        )
        self.step = step


@dataclass(frozen=True)
class Tokens:
    """The tokens of one signed-in user (kept server-side only)."""

    id_token: str
    access_token: str
    refresh_token: str
    expires_at: int  # the access token's `exp` (epoch seconds)
    user_id: str
    email: str

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the session store."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tokens:
        """Rebuilds the tokens read from the session store."""
        return cls(**data)


def password_checks(password: str) -> dict[str, bool]:
    """Which of the pool's password rules (see template.yaml) a password meets."""
    return {
        "length": len(password) >= 8,
        "upper": any(c.isupper() for c in password),
        "lower": any(c.islower() for c in password),
        "digit": any(c.isdigit() for c in password),
    }


def _cognito(email: str | None = None, **tokens: str) -> Cognito:
    s = get_settings()
    return Cognito(s.user_pool_id, s.client_id, user_pool_region=s.region, username=email, **tokens)


def _error(exc: Exception, messages: dict[str, str] | None = None) -> AuthError:
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        log.info("Cognito refused: %s", code)
        return AuthError({**_MESSAGES, **(messages or {})}.get(code, _UNKNOWN), code)
    log.warning("Cognito call failed: %r", exc)
    return AuthError(_UNKNOWN, type(exc).__name__)


async def _run(func: Any, *args: Any, messages: dict[str, str] | None = None) -> Any:
    try:
        return await asyncio.to_thread(func, *args)
    except (ClientError, BotoCoreError) as exc:
        raise _error(exc, messages) from exc
    except AuthError:
        raise
    except Exception as exc:  # pycognito raises its own types (token checks, challenges)
        raise _error(exc, messages) from exc


def _claims(token: str) -> dict[str, Any]:
    # The token came straight from Cognito over TLS and pycognito verified it; we only read it.
    return jwt.decode(token, options={"verify_signature": False})


def _tokens(u: Cognito, fallback_refresh: str = "") -> Tokens:
    access = _claims(u.access_token)
    ident = _claims(u.id_token)
    return Tokens(
        id_token=u.id_token,
        access_token=u.access_token,
        refresh_token=u.refresh_token or fallback_refresh,
        expires_at=int(access["exp"]),
        user_id=str(access.get("sub", "")),
        email=str(ident.get("email") or ""),
    )


def _signed_in(u: Cognito, email: str) -> Tokens:
    tokens = _tokens(u)
    return tokens if tokens.email else Tokens(**{**tokens.to_dict(), "email": email})


async def sign_in(email: str, password: str) -> Tokens:
    """Signs in with SRP (the password never leaves this server in clear).

    Raises `SecondStepNeeded` when the person turned two-step sign-in on: the password was
    right, and `answer_second_step` finishes with the code of their authenticator app.
    """
    email = email.strip()

    def call() -> Tokens:
        u = _cognito(email)
        try:
            u.authenticate(password=password)
        except SoftwareTokenMFAChallengeException:
            raise SecondStepNeeded(SecondStep(email, str(u.mfa_tokens["Session"]))) from None
        return _signed_in(u, email)

    return await _run(call)


async def answer_second_step(step: SecondStep, code: str) -> Tokens:
    """Finishes a sign-in with the authenticator's 6-digit code (the same step may retry)."""

    def call() -> Tokens:
        u = _cognito(step.email)
        u.respond_to_software_token_mfa_challenge(code.strip(), {"Session": step.session})
        return _signed_in(u, step.email)

    return await _run(call, messages=_SECOND_STEP_MESSAGES)


async def check_password(email: str, password: str) -> None:
    """Proves the person knows the account's password (a fresh SRP sign-in); AuthError if not.

    With two-step sign-in on, being asked for the code proves the password too.
    """
    try:
        await sign_in(email, password)  # the tokens are dropped unused, never stored
    except SecondStepNeeded:
        return


async def sign_up(email: str, password: str, display_name: str) -> None:
    """Creates an unconfirmed account; Cognito emails a 6-digit code.

    A taken email answers exactly like a new one, no sooner (`SIGN_UP_ANSWER_S`), so the
    sign-up form cannot be used to find out who has an account. Someone who signed up
    before and never confirmed gets a fresh code; a confirmed account gets nothing (the
    verify page says to sign in or reset the password if no code comes).
    """
    email = email.strip()

    def call() -> None:
        u = _cognito()
        u.set_base_attributes(email=email, name=display_name.strip())
        try:
            u.register(email, password)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in _TAKEN:
                raise
            try:
                u.client.resend_confirmation_code(ClientId=u.client_id, Username=email)
            except ClientError as again:
                log.info("sign-up with a taken email (%s)", again.response["Error"]["Code"])

    started = time.monotonic()
    try:
        await _run(call)
    finally:
        await asyncio.sleep(max(0.0, SIGN_UP_ANSWER_S - (time.monotonic() - started)))


async def confirm_sign_up(email: str, code: str) -> None:
    """Confirms the account with the emailed code."""
    await _run(
        lambda: _cognito().confirm_sign_up(code.strip(), username=email.strip()),
        messages=_CONFIRM_MESSAGES,
    )


async def resend_code(email: str) -> None:
    """Sends a fresh confirmation code (answers alike for a confirmed account: nothing is sent)."""

    def call() -> None:
        try:
            _cognito().resend_confirmation_code(email.strip())
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "InvalidParameterException":
                raise
            log.info("resend for an account that needs no code")

    await _run(call)


async def forgot_password(email: str) -> None:
    """Emails a password-reset code."""
    await _run(lambda: _cognito(email.strip()).initiate_forgot_password())


async def confirm_forgot_password(email: str, code: str, new_password: str) -> None:
    """Sets a new password with the emailed reset code."""
    await _run(lambda: _cognito(email.strip()).confirm_forgot_password(code.strip(), new_password))


async def refresh(tokens: Tokens) -> Tokens:
    """New ID and access tokens from the refresh token; fails once it is revoked or expired."""

    def call() -> Tokens:
        u = _cognito(
            tokens.email,
            id_token=tokens.id_token,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
        )
        u.renew_access_token()
        fresh = _tokens(u, fallback_refresh=tokens.refresh_token)
        return Tokens(**{**fresh.to_dict(), "email": fresh.email or tokens.email})

    return await _run(call)


async def start_authenticator(tokens: Tokens) -> str:
    """A new secret for the person's authenticator app (replaces any earlier one at once)."""

    def call() -> str:
        return str(
            _cognito(tokens.email, access_token=tokens.access_token).associate_software_token()
        )

    return str(await _run(call))


def authenticator_uri(email: str, secret: str) -> str:
    """The otpauth:// link an authenticator app reads from the QR code (Key URI Format)."""
    label = quote(f"{ISSUER}:{email}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(ISSUER)}"


async def turn_on_second_step(tokens: Tokens, code: str) -> None:
    """Checks the first code of the new authenticator, then asks for it at every sign-in."""

    def call() -> None:
        u = _cognito(tokens.email, access_token=tokens.access_token)
        u.verify_software_token(code.strip())
        u.set_user_mfa_preference(False, True, "SOFTWARE_TOKEN")

    await _run(call)


async def turn_off_second_step(tokens: Tokens) -> None:
    """Signs in with the password alone again (the authenticator stays associated)."""
    await _run(
        lambda: _cognito(tokens.email, access_token=tokens.access_token).set_user_mfa_preference(
            False, False
        )
    )


async def second_step_on(tokens: Tokens) -> bool:
    """Whether signing in asks this person for an authenticator code."""

    def call() -> bool:
        u = _cognito(tokens.email, access_token=tokens.access_token)
        answer = u.client.get_user(AccessToken=tokens.access_token)
        return "SOFTWARE_TOKEN_MFA" in (answer.get("UserMFASettingList") or [])

    return bool(await _run(call))


async def sign_out(tokens: Tokens) -> None:
    """Revokes the user's tokens at Cognito (global sign-out); ignores tokens already dead."""

    def call() -> None:
        _cognito(tokens.email, access_token=tokens.access_token).client.global_sign_out(
            AccessToken=tokens.access_token
        )

    try:
        await _run(call)
    except AuthError as exc:
        log.info("sign-out at Cognito failed (%s); the local session is ended anyway", exc.code)

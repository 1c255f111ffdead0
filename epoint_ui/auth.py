"""The one module around pycognito: sign-up, confirmation, SRP sign-in, refresh, reset, sign-out.

pycognito and boto3 block, so each public function runs them in a worker thread and is
awaited by the states. Every Cognito failure becomes an `AuthError` with a sentence for
the user; the Cognito error code is kept for logs and tests.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass
from typing import Any

import jwt
from botocore.exceptions import BotoCoreError, ClientError
from pycognito import Cognito

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
}
_UNKNOWN = "We couldn't reach the sign-in service. Please try again in a moment."


class AuthError(Exception):
    """A failed sign-in service call, with a sentence for the user."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


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


def _error(exc: Exception) -> AuthError:
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        log.info("Cognito refused: %s", code)
        return AuthError(_MESSAGES.get(code, _UNKNOWN), code)
    log.warning("Cognito call failed: %r", exc)
    return AuthError(_UNKNOWN, type(exc).__name__)


async def _run(func: Any, *args: Any) -> Any:
    try:
        return await asyncio.to_thread(func, *args)
    except (ClientError, BotoCoreError) as exc:
        raise _error(exc) from exc
    except AuthError:
        raise
    except Exception as exc:  # pycognito raises its own types (token checks, challenges)
        raise _error(exc) from exc


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


async def sign_in(email: str, password: str) -> Tokens:
    """Signs in with SRP (the password never leaves this server in clear)."""

    def call() -> Tokens:
        u = _cognito(email.strip())
        u.authenticate(password=password)
        tokens = _tokens(u)
        return tokens if tokens.email else Tokens(**{**tokens.to_dict(), "email": email.strip()})

    return await _run(call)


async def sign_up(email: str, password: str, display_name: str) -> None:
    """Creates an unconfirmed account; Cognito emails a 6-digit code."""

    def call() -> None:
        u = _cognito()
        u.set_base_attributes(email=email.strip(), name=display_name.strip())
        u.register(email.strip(), password)

    await _run(call)


async def confirm_sign_up(email: str, code: str) -> None:
    """Confirms the account with the emailed code."""
    await _run(lambda: _cognito().confirm_sign_up(code.strip(), username=email.strip()))


async def resend_code(email: str) -> None:
    """Sends a fresh confirmation code."""
    await _run(lambda: _cognito().resend_confirmation_code(email.strip()))


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

"""Two-step sign-in (software-token MFA) as Cognito does it, for the local cloud only.

moto 5.2.5 (measured): `AssociateSoftwareToken` hands every user the same secret
("asdfasdfasdf"); `VerifySoftwareToken` and the `SOFTWARE_TOKEN_MFA` challenge accept any
code unless an environment variable is set, and then check it against that shared secret;
the challenge's answer may name another user than the one who proved the password, and
that user is signed in; a user who verified a token but turned MFA off is still challenged.

Here, each thin wrapper keeps moto's user bookkeeping (`token_verified`,
`software_token_mfa_enabled`, `preferred_mfa_setting`, what GetUser reports) and adds:

- `AssociateSoftwareToken` (with an access token) gives the user a fresh random secret;
  as in Cognito it replaces any earlier token at once: until the new one is verified the
  user signs in without a code;
- `VerifySoftwareToken` checks the code against that secret (RFC 6238, see `totp`),
  wrong: EnableSoftwareTokenMFAException;
- `SetUserMFAPreference` (moto's) turns it on only for a verified token;
- after the password is proven (`USER_SRP_AUTH`), a user with software-token MFA on gets
  the `SOFTWARE_TOKEN_MFA` challenge with an opaque session bound to that user and app
  client, living 3 minutes (Cognito's default `AuthSessionValidity`);
- the answer must come from that user, with a code of the current step (one either
  side), never one already used; a wrong code is CodeMismatchException and the same
  session may try again, at most `MAX_WRONG_CODES` times.

Codes follow the backend's one clock, like the emailed codes (`POST /dev/clock` moves it).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from typing import Any

from moto.cognitoidp.exceptions import (
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedError,
)
from moto.cognitoidp.models import (
    CognitoIdpBackend,
    CognitoIdpUser,
    CognitoIdpUserPool,
    CognitoIdpUserPoolClient,
)
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult

from localcloud import totp

CHALLENGE_SESSION_S = 180
MAX_WRONG_CODES = 5


class EnableSoftwareTokenMfaException(JsonRESTError):
    """Cognito's answer to a wrong code while verifying a new software token."""

    def __init__(self, message: str) -> None:
        super().__init__("EnableSoftwareTokenMFAException", message)


@dataclass
class _Challenge:
    """One SOFTWARE_TOKEN_MFA challenge between the password proof and the code."""

    pool_id: str
    client_id: str
    username: str
    issued_at: float
    wrong: int = 0


_challenges: dict[str, _Challenge] = {}
_lock = threading.Lock()


@dataclass
class _Token:
    """A user's software token: the verified secret, one being set up, the last used step."""

    secret: str = ""
    pending: str = ""
    last_step: int = -1


def _token(user: CognitoIdpUser) -> _Token:
    # Stored on moto's user object so it persists with it.
    if not hasattr(user, "epoint_software_token"):
        user.epoint_software_token = _Token()  # type: ignore[attr-defined]
    return user.epoint_software_token  # type: ignore[attr-defined]


def _clock() -> float:
    from localcloud.cognito_fidelity import settings  # the layer's injectable clock

    return settings.clock()


def _signed_in_user(response: CognitoIdpResponse) -> CognitoIdpUser:
    """The user whose access token the request carries (NotAuthorized when none is valid)."""
    return response._get_region_agnostic_backend().get_user(response._get_param("AccessToken"))


# ---------------------------------------------------------------- setting up


def associate_software_token(self: CognitoIdpResponse) -> ActionResult:
    """A fresh secret for the signed-in user; any earlier token is dropped at once."""
    if self._get_param("Session"):
        # MFA_SETUP during sign-in: only for pools where MFA is required (not this template).
        raise InvalidParameterException("The local cloud sets up tokens with an access token.")
    user = _signed_in_user(self)
    token = _token(user)
    token.secret, token.pending, token.last_step = "", totp.new_secret(), -1
    user.token_verified = False
    return ActionResult({"SecretCode": token.pending})


def verify_software_token(self: CognitoIdpResponse) -> ActionResult:
    """Checks a code of the secret being set up; the token counts as verified after it."""
    if self._get_param("Session"):
        raise InvalidParameterException("The local cloud sets up tokens with an access token.")
    user = _signed_in_user(self)
    token = _token(user)
    code = str(self._get_param("UserCode") or "")
    step = totp.matching_step(token.pending, code, _clock()) if token.pending else None
    if step is None:
        raise EnableSoftwareTokenMfaException("Code mismatch")
    token.secret, token.pending, token.last_step = token.pending, "", step
    user.token_verified = True
    return ActionResult({"Status": "SUCCESS"})


# ---------------------------------------------------------------- signing in


def needs_code(user: CognitoIdpUser) -> bool:
    """Whether this user's sign-in asks for a code after the password."""
    return bool(user.software_token_mfa_enabled and user.token_verified and _token(user).secret)


def challenge(pool: CognitoIdpUserPool, client_id: str, user: CognitoIdpUser) -> dict[str, Any]:
    """The SOFTWARE_TOKEN_MFA challenge a proven password leads to."""
    session = secrets.token_urlsafe(96)
    now = _clock()
    with _lock:
        for stale in [s for s, c in _challenges.items() if now - c.issued_at > CHALLENGE_SESSION_S]:
            _challenges.pop(stale, None)
        _challenges[session] = _Challenge(pool.id, client_id, user.username, now)
    return {"ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": session, "ChallengeParameters": {}}


def answer_challenge(
    backend: CognitoIdpBackend,
    pool: CognitoIdpUserPool,
    client: CognitoIdpUserPoolClient,
    session: str,
    answers: dict[str, str],
) -> dict[str, Any]:
    """Tokens for the right code from the user who proved the password; refusals like Cognito's."""
    with _lock:
        pending = _challenges.get(session)
        expired = pending is not None and _clock() - pending.issued_at > CHALLENGE_SESSION_S
        if pending is None or expired:
            _challenges.pop(session, None)
            raise NotAuthorizedError("Invalid session for the user, session is expired.")
        user = pool._get_user(answers.get("USERNAME") or "")
        if (
            pending.pool_id != pool.id
            or pending.client_id != client.id
            or user is None
            or user.username != pending.username
        ):
            raise NotAuthorizedError("Invalid session for the user.")
        token = _token(user)
        code = str(answers.get("SOFTWARE_TOKEN_MFA_CODE") or "")
        step = totp.matching_step(token.secret, code, _clock(), after_step=token.last_step)
        if step is None:
            pending.wrong += 1
            if pending.wrong >= MAX_WRONG_CODES:
                _challenges.pop(session, None)
            raise CodeMismatchException("Invalid code received for user")
        token.last_step = step
        _challenges.pop(session, None)
    return backend._log_user_in(pool, client, user.username)


PATCHES = {
    "associate_software_token": associate_software_token,
    "verify_software_token": verify_software_token,
}

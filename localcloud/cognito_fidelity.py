"""Closes the gaps between moto's Cognito and the real one, for the local cloud only.

Patched onto moto's cognito-idp *responses* (never onto production code), each a thin
wrapper that keeps moto doing the bookkeeping:

- sign-up issues a 6-digit code, delivered to the outbox; `ConfirmSignUp` requires it
  (wrong: CodeMismatchException; expired after 24 h or superseded: ExpiredCodeException);
  `ResendConfirmationCode` works; confirming sets `email_verified=true`;
- forgot-password codes likewise (1 h), delivered to the outbox, not to a moto header;
- `USER_SRP_AUTH` proves the password (see `srp`); a wrong one is NotAuthorizedException;
- auth flows the app client does not allow (ExplicitAuthFlows) are refused;
- with `PreventUserExistenceErrors`, an unknown user gets the answers a known one would
  (a masked address for resend and reset, CodeMismatchException for confirmations);
- a client writes only the attributes it was given (`WriteAttributes`, never
  `email_verified`), at sign-up too, and Cognito's refusal of a client that cannot write
  a required attribute is kept; with `AttributesRequireVerificationBeforeUpdate: [email]`
  a new email takes effect only once the code sent to it comes back (`VerifyUserAttribute`);
- usernames and email aliases match case-insensitively when the pool says
  `UsernameConfiguration.CaseSensitive: false`;
- the pool's PostConfirmation trigger runs in-process after a confirmation;
- tokens keep the `auth_time` of the sign-in through refreshes (moto stamps every new
  token "now"; the API's recent-sign-in check for account deletion relies on it);
- `AdminDeleteUser` revokes the user's refresh tokens (moto keeps them, and refreshing
  one of a deleted user is an HTTP 500 there, NotAuthorizedException in Cognito);
- two-step sign-in with an authenticator app: per-user secrets, real code checks, the
  `SOFTWARE_TOKEN_MFA` challenge bound to the user who proved the password (`cognito_mfa`).

The gaps, as measured with moto 5.2.5: no confirmation code is generated and any code
confirms; `ResendConfirmationCode` is an HTTP 500; `email_verified` is never set; the
forgot-password code comes back in a response header; SRP sign-in uses a random SRP_B,
so a wrong password succeeds; Lambda triggers are stored but never invoked; a refreshed
token's `auth_time` is the refresh, not the sign-in.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.cognitoidp.exceptions import (
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    NotAuthorizedError,
    UserNotConfirmedException,
    UserNotFoundError,
)
from moto.cognitoidp.models import (
    CognitoIdpBackend,
    CognitoIdpUser,
    CognitoIdpUserPool,
    UserStatus,
)
from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult

from backend import clock as backend_clock
from localcloud import cognito_mfa, srp
from localcloud.outbox import Outbox

log = logging.getLogger(__name__)

SIGN_UP_CODE_TTL = 24 * 3600
ATTRIBUTE_CODE_TTL = 24 * 3600
FORGOT_PASSWORD_CODE_TTL = 3600

# Cognito's ExplicitAuthFlows entry that enables each InitiateAuth flow.
_FLOW_SWITCH = {
    "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
    "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
    "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
}
_LEGACY_FLOWS = {
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
}
# What AWS allows when a client names no flows at all.
_DEFAULT_FLOWS = {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH"}

TriggerFn = Callable[[dict[str, Any]], Any]


class UnexpectedLambdaException(JsonRESTError):
    """What Cognito answers when a trigger function fails."""

    def __init__(self, message: str) -> None:
        super().__init__("UnexpectedLambdaException", message)


@dataclass
class IssuedCodes:
    """The codes sent to one user for one purpose; only the newest is valid."""

    current: str
    issued_at: float
    superseded: list[str] = field(default_factory=list)


@dataclass
class Settings:
    """What the layer needs from the running local cloud."""

    outbox: Outbox = field(default_factory=Outbox)
    triggers: dict[str, TriggerFn] = field(default_factory=dict)  # e.g. "PostConfirmation"
    # The backend's one clock, so `POST /dev/clock` expires codes too; injectable for tests.
    clock: Callable[[], float] = backend_clock.now


settings = Settings()
_srp_challenges: dict[str, tuple[srp.SrpChallenge, float]] = {}
_srp_lock = threading.Lock()
_STOCK: dict[str, Callable[..., Any]] = {}


# ---------------------------------------------------------------- helpers


def _codes(user: CognitoIdpUser) -> dict[str, IssuedCodes]:
    # Stored on moto's user object so they persist with it.
    if not hasattr(user, "epoint_codes"):
        user.epoint_codes = {}  # type: ignore[attr-defined]
    return user.epoint_codes  # type: ignore[attr-defined]


def _pool_for_client(
    response: CognitoIdpResponse, client_id: str
) -> tuple[CognitoIdpBackend, CognitoIdpUserPool]:
    backend = response._get_region_agnostic_backend()._find_backend_for_clientid(client_id)
    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            return backend, pool
    raise JsonRESTError("ResourceNotFoundException", f"Client {client_id} not found.")


def _user(pool: CognitoIdpUserPool, username: str) -> CognitoIdpUser:
    user = pool._get_user(username)
    if user is None:
        raise UserNotFoundError("User does not exist.")
    return user


def _masked(email: str) -> dict[str, str]:
    """CodeDeliveryDetails as Cognito shows them: the address masked."""
    local, _, domain = email.partition("@")
    return {
        "Destination": f"{local[:1]}***@{domain[:1]}***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }


def _issue_code(
    pool: CognitoIdpUserPool, user: CognitoIdpUser, purpose: str, to: str = ""
) -> dict[str, str]:
    code = f"{secrets.randbelow(1_000_000):06d}"
    codes = _codes(user)
    previous = codes.get(purpose)
    superseded = [*previous.superseded, previous.current][-20:] if previous else []
    codes[purpose] = IssuedCodes(code, settings.clock(), superseded)
    email = to or user.attribute_lookup.get("email", user.username)
    template = pool.extended_config.get("VerificationMessageTemplate") or {}
    if purpose in ("sign_up", "verify_email"):  # Cognito verifies attributes with the same text
        subject = template.get("EmailSubject", "Your verification code")
        body = template.get("EmailMessage", "Your confirmation code is {####}")
    else:
        subject, body = "Your password reset code", "Your password reset code is {####}"
    settings.outbox.deliver(email, subject, body.replace("{####}", code), code, purpose)
    return _masked(email)


def _check_code(user: CognitoIdpUser, purpose: str, code: str, ttl: float) -> None:
    issued = _codes(user).get(purpose)
    if issued is None or code in issued.superseded:
        raise ExpiredCodeException("Invalid code provided, please request a code again.")
    if not secrets.compare_digest(str(code), issued.current):
        raise CodeMismatchException("Invalid verification code provided, please try again.")
    if settings.clock() - issued.issued_at > ttl:
        raise ExpiredCodeException("Invalid code provided, please request a code again.")


def _run_trigger(
    name: str,
    source: str,
    backend: CognitoIdpBackend,
    pool: CognitoIdpUserPool,
    client_id: str,
    user: CognitoIdpUser,
) -> None:
    trigger = settings.triggers.get(name)
    if trigger is None:
        return
    event = {
        "version": "1",
        "region": backend.region_name,
        "userPoolId": pool.id,
        "userName": user.username,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client_id},
        "triggerSource": source,
        "request": {
            "userAttributes": {
                **user.attribute_lookup,
                "cognito:user_status": "CONFIRMED",
            }
        },
        "response": {},
    }
    try:
        trigger(event)
    except Exception as exc:
        log.exception("%s trigger failed", name)
        raise UnexpectedLambdaException(f"{name} failed with error {exc}.") from exc


def _hides_existence(pool: CognitoIdpUserPool, client_id: str) -> bool:
    """Whether the client answers for unknown users as for known ones (PreventUserExistenceErrors)."""
    config = pool.clients[client_id].extended_config
    return config.get("PreventUserExistenceErrors") == "ENABLED"


def _unknown_user(pool: CognitoIdpUserPool, client_id: str, hidden: Exception) -> Exception:
    """What Cognito answers about a user who does not exist: `hidden` when the client hides it."""
    return (
        hidden if _hides_existence(pool, client_id) else UserNotFoundError("User does not exist.")
    )


def _wrong_code() -> CodeMismatchException:
    return CodeMismatchException("Invalid verification code provided, please try again.")


# Attributes no app client may write, whatever its WriteAttributes say (Cognito refuses a
# client listing them, and sets them itself: a code proves an email).
_NEVER_CLIENT_WRITABLE = {"sub", "email_verified", "phone_number_verified"}


def _client_may_write(pool: CognitoIdpUserPool, client_id: str, names: list[str]) -> None:
    """NotAuthorized, as Cognito, when a client writes an attribute it was not given."""
    configured = pool.clients[client_id].extended_config.get("WriteAttributes")
    if configured:
        allowed = set(configured) - _NEVER_CLIENT_WRITABLE
    else:  # no list: every mutable attribute of the schema
        allowed = {
            name for name, a in pool.schema_attributes.items() if a.mutable
        } - _NEVER_CLIENT_WRITABLE
    if any(name not in allowed for name in names):
        raise NotAuthorizedError("A client attempted to write unauthorized attribute")


def _check_client_write_attributes(pool: CognitoIdpUserPool, write: list[str] | None) -> None:
    """Cognito refuses an app client that cannot write a required attribute, or that lists
    one no client may write (the error names neither)."""
    if not write:
        return
    required = {name for name, a in pool.schema_attributes.items() if a.required and a.mutable}
    if required - set(write) or set(write) & _NEVER_CLIENT_WRITABLE:
        raise InvalidParameterException(
            "Invalid write attributes specified while creating a client"
        )


def _check_flow_allowed(pool: CognitoIdpUserPool, client_id: str, flow: str) -> None:
    client = pool.clients[client_id]
    configured = client.extended_config.get("ExplicitAuthFlows") or []
    allowed = {_LEGACY_FLOWS.get(f, f) for f in configured} or _DEFAULT_FLOWS
    needed = _FLOW_SWITCH.get(flow)
    if needed is not None and needed not in allowed:
        raise InvalidParameterException(f"{flow} flow not enabled for this client")


# ---------------------------------------------------------------- patched actions


def sign_up(self: CognitoIdpResponse) -> ActionResult:
    """Attributes the client may write only; moto's SignUp; then a real code in the outbox."""
    client_id = self._get_param("ClientId")
    _, pool = _pool_for_client(self, client_id)
    names = [a["Name"] for a in self._get_param("UserAttributes") or []]
    _client_may_write(pool, client_id, names)
    result = _STOCK["sign_up"](self)
    answer: dict[str, Any] = result.result  # type: ignore[assignment]
    user = (
        pool.users[answer["UserSub"]]
        if answer["UserSub"] in pool.users
        else _user(pool, self._get_param("Username"))
    )
    answer["CodeDeliveryDetails"] = _issue_code(pool, user, "sign_up")
    return result


def confirm_sign_up(self: CognitoIdpResponse) -> Any:
    """Confirms only with the newest, unexpired code; sets email_verified; runs PostConfirmation."""
    client_id = self._get_param("ClientId")
    backend, pool = _pool_for_client(self, client_id)
    user = pool._get_user(self._get_param("Username"))
    if user is None:
        raise _unknown_user(pool, client_id, _wrong_code())
    if user.status == UserStatus.CONFIRMED:
        raise NotAuthorizedError("User cannot be confirmed. Current status is CONFIRMED")
    _check_code(user, "sign_up", self._get_param("ConfirmationCode") or "", SIGN_UP_CODE_TTL)
    result = _STOCK["confirm_sign_up"](self)
    _codes(user).pop("sign_up", None)
    if "email" in user.attribute_lookup:
        user.update_attributes([{"Name": "email_verified", "Value": "true"}])
    _run_trigger(
        "PostConfirmation", "PostConfirmation_ConfirmSignUp", backend, pool, client_id, user
    )
    return result


def resend_confirmation_code(self: CognitoIdpResponse) -> ActionResult:
    """Sends a fresh sign-up code; earlier codes stop working (moto: not implemented).

    For an unknown user a client that hides existence answers as if it had sent one."""
    client_id = self._get_param("ClientId")
    _, pool = _pool_for_client(self, client_id)
    username = self._get_param("Username") or ""
    user = pool._get_user(username)
    if user is None:
        if _hides_existence(pool, client_id):
            return ActionResult({"CodeDeliveryDetails": _masked(username)})
        raise UserNotFoundError("User does not exist.")
    if user.status == UserStatus.CONFIRMED:
        raise InvalidParameterException("User is already confirmed.")
    return ActionResult({"CodeDeliveryDetails": _issue_code(pool, user, "sign_up")})


def forgot_password(self: CognitoIdpResponse) -> ActionResult:
    """A 6-digit reset code in the outbox (not in moto's response header)."""
    client_id = self._get_param("ClientId")
    backend, pool = _pool_for_client(self, client_id)
    username = self._get_param("Username") or ""
    user = pool._get_user(username)
    _, details = backend.forgot_password(client_id, username)
    if user is not None:
        user.confirmation_code = None  # moto's own magic code must not work
        details["CodeDeliveryDetails"] = _issue_code(pool, user, "forgot_password")
    else:  # moto masks an unknown name unlike a known one ("a@b.com@h***.com")
        details["CodeDeliveryDetails"] = _masked(username)
    return ActionResult(details)


def confirm_forgot_password(self: CognitoIdpResponse) -> Any:
    """Sets the new password only with the newest, unexpired reset code (and a valid password)."""
    client_id = self._get_param("ClientId")
    backend, pool = _pool_for_client(self, client_id)
    user = pool._get_user(self._get_param("Username"))
    if user is None:
        raise _unknown_user(pool, client_id, _wrong_code())
    _check_code(
        user, "forgot_password", self._get_param("ConfirmationCode") or "", FORGOT_PASSWORD_CODE_TTL
    )
    backend._validate_password(pool.id, self._get_param("Password"))
    result = _STOCK["confirm_forgot_password"](self)
    _codes(user).pop("forgot_password", None)
    was_unconfirmed = user.status == UserStatus.UNCONFIRMED
    user.status = UserStatus.CONFIRMED  # as in Cognito: a reset proves the email
    if was_unconfirmed or user.attribute_lookup.get("email_verified") != "true":
        user.update_attributes([{"Name": "email_verified", "Value": "true"}])
    _run_trigger(
        "PostConfirmation", "PostConfirmation_ConfirmForgotPassword", backend, pool, client_id, user
    )
    return result


def update_user_attributes(self: CognitoIdpResponse) -> ActionResult:
    """A signed-in user changes their attributes: only those their app client may write, and
    (with `AttributesRequireVerificationBeforeUpdate`) a new email only once a code sent to
    it comes back; until then the old one stays, for sign-in too (moto: applies anything)."""
    access_token = self._get_param("AccessToken")
    backend, pool, client_id, user = _token_owner(self, access_token)
    attributes = list(self._get_param("UserAttributes") or [])
    _client_may_write(pool, client_id, [a["Name"] for a in attributes])
    update_settings = pool.extended_config.get("UserAttributeUpdateSettings") or {}
    held = set(update_settings.get("AttributesRequireVerificationBeforeUpdate") or [])
    deliveries = []
    for attribute in [a for a in attributes if a["Name"] == "email"]:
        new_email = attribute["Value"]
        if new_email.lower() == str(user.attribute_lookup.get("email", "")).lower():
            attributes.remove(attribute)
        elif "email" in held:
            backend._verify_email_is_not_used(pool.id, new_email)
            attributes.remove(attribute)
            _pending(user)["email"] = new_email
            deliveries.append(_issue_code(pool, user, "verify_email", to=new_email))
    if attributes:
        backend.update_user_attributes(access_token, attributes)
    return ActionResult({"CodeDeliveryDetailsList": deliveries})


def verify_user_attribute(self: CognitoIdpResponse) -> ActionResult:
    """The code sent to a new email address makes it the user's (moto: not implemented)."""
    access_token = self._get_param("AccessToken")
    backend, pool, _, user = _token_owner(self, access_token)
    if self._get_param("AttributeName") != "email":
        raise InvalidParameterException("The local cloud verifies email only.")
    _check_code(user, "verify_email", str(self._get_param("Code") or ""), ATTRIBUTE_CODE_TTL)
    new_email = _pending(user).pop("email", None)
    if new_email is not None:
        backend._verify_email_is_not_used(pool.id, new_email)
        user.update_attributes([{"Name": "email", "Value": new_email}])
    _codes(user).pop("verify_email", None)
    user.update_attributes([{"Name": "email_verified", "Value": "true"}])
    return ActionResult({})


def _token_owner(
    response: CognitoIdpResponse, access_token: str
) -> tuple[CognitoIdpBackend, CognitoIdpUserPool, str, CognitoIdpUser]:
    """Whose access token this is: backend, pool, app client and user (NotAuthorized if dead)."""
    backend = response._get_region_agnostic_backend()._find_backend_by_access_token(access_token)
    user = backend.get_user(access_token)
    pool = next(p for p in backend.user_pools.values() if access_token in p.access_tokens)
    client_id, _ = pool.access_tokens[access_token]
    return backend, pool, client_id, user


def _pending(user: CognitoIdpUser) -> dict[str, str]:
    # Attribute values waiting for their code; stored on moto's user so they persist with it.
    if not hasattr(user, "epoint_pending_attributes"):
        user.epoint_pending_attributes = {}  # type: ignore[attr-defined]
    return user.epoint_pending_attributes  # type: ignore[attr-defined]


def create_user_pool_client(self: CognitoIdpResponse) -> Any:
    """Refuses write attributes Cognito refuses (see `_check_client_write_attributes`)."""
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    _check_client_write_attributes(pool, self._get_param("WriteAttributes"))
    return _STOCK["create_user_pool_client"](self)


def update_user_pool_client(self: CognitoIdpResponse) -> Any:
    """Refuses write attributes Cognito refuses (see `_check_client_write_attributes`)."""
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    _check_client_write_attributes(pool, self._get_param("WriteAttributes"))
    return _STOCK["update_user_pool_client"](self)


def initiate_auth(self: CognitoIdpResponse) -> Any:
    """Refuses flows the client does not allow; USER_SRP_AUTH gets a real SRP challenge."""
    client_id = self._get_param("ClientId")
    flow = self._get_param("AuthFlow")
    backend, pool = _pool_for_client(self, client_id)
    _check_flow_allowed(pool, client_id, flow)
    if flow != "USER_SRP_AUTH":
        return _STOCK["initiate_auth"](self)

    params = self._get_param("AuthParameters") or {}
    username = params.get("USERNAME") or ""
    user = pool._get_user(username)
    if (
        user is None
        and pool.clients[client_id].extended_config.get("PreventUserExistenceErrors") != "ENABLED"
    ):
        raise UserNotFoundError("User does not exist.")
    if user is not None and not user.enabled:
        raise NotAuthorizedError("User is disabled.")
    try:
        challenge = srp.start(
            pool.id,
            user.id if user else username,
            user.password if user else None,
            params.get("SRP_A") or "0",
        )
    except ValueError as exc:
        raise NotAuthorizedError("Incorrect username or password.") from exc
    with _srp_lock:
        now = settings.clock()
        for block in [b for b, (_, t) in _srp_challenges.items() if now - t > 300]:
            _srp_challenges.pop(block, None)
        _srp_challenges[challenge.secret_block] = (challenge, now)
    if user is not None:
        # moto's RespondToAuthChallenge finds the attempt by the secret block.
        backend.sessions[challenge.secret_block] = (user.username, pool)
    return ActionResult(
        {
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeParameters": {
                "SALT": challenge.salt_hex,
                "SRP_B": challenge.srp_b_hex,
                "SECRET_BLOCK": challenge.secret_block,
                "USERNAME": user.username if user else username,
                "USER_ID_FOR_SRP": user.id if user else username,
            },
        }
    )


def admin_initiate_auth(self: CognitoIdpResponse) -> Any:
    """Refuses admin flows the client does not allow (moto accepts any)."""
    client_id = self._get_param("ClientId")
    _, pool = _pool_for_client(self, client_id)
    _check_flow_allowed(pool, client_id, self._get_param("AuthFlow"))
    return _STOCK["admin_initiate_auth"](self)


def respond_to_auth_challenge(self: CognitoIdpResponse) -> Any:
    """PASSWORD_VERIFIER succeeds only with a signature that proves the password.

    The proof is bound to the user and pool it was issued for: answering with another
    USERNAME, or through another pool's client, fails like a wrong password.
    """
    challenge_name = self._get_param("ChallengeName")
    if challenge_name not in ("PASSWORD_VERIFIER", "SOFTWARE_TOKEN_MFA"):
        return _STOCK["respond_to_auth_challenge"](self)
    client_id = self._get_param("ClientId")
    backend, pool = _pool_for_client(self, client_id)
    answers = self._get_param("ChallengeResponses") or {}
    if challenge_name == "SOFTWARE_TOKEN_MFA":
        session = self._get_param("Session") or ""
        client = pool.clients[client_id]
        return ActionResult(cognito_mfa.answer_challenge(backend, pool, client, session, answers))
    block = answers.get("PASSWORD_CLAIM_SECRET_BLOCK") or ""
    with _srp_lock:
        entry = _srp_challenges.pop(block, None)
    user = pool._get_user(answers.get("USERNAME") or "")
    proven = (
        entry is not None
        and user is not None
        and entry[0].user_id == user.id
        and entry[0].pool_name == pool.id.split("_", 1)[1]
        and srp.verify(
            entry[0], answers.get("TIMESTAMP") or "", answers.get("PASSWORD_CLAIM_SIGNATURE") or ""
        )
    )
    if not proven:
        backend.sessions.pop(block, None)
        raise NotAuthorizedError("Incorrect username or password.")
    assert user is not None
    if user.status == UserStatus.UNCONFIRMED:
        raise UserNotConfirmedException("User is not confirmed.")
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        return _STOCK["respond_to_auth_challenge"](self)
    # moto would challenge anyone who ever verified a token, even with MFA turned off.
    backend.sessions.pop(block, None)
    if cognito_mfa.needs_code(user):
        return ActionResult(cognito_mfa.challenge(pool, client_id, user))
    return ActionResult(backend._log_user_in(pool, pool.clients[client_id], user.username))


_STOCK_GET_USER = CognitoIdpUserPool._get_user
_STOCK_CREATE_REFRESH_TOKEN = CognitoIdpUserPool.create_refresh_token
_STOCK_CREATE_JWT = CognitoIdpUserPool.create_jwt
_STOCK_ADMIN_DELETE_USER = CognitoIdpBackend.admin_delete_user


def _sign_in_times(pool: CognitoIdpUserPool) -> dict[str, int]:
    # Stored on moto's pool object so they persist with it: origin_jti -> auth_time.
    if not hasattr(pool, "epoint_sign_in_times"):
        pool.epoint_sign_in_times = {}  # type: ignore[attr-defined]
    return pool.epoint_sign_in_times  # type: ignore[attr-defined]


def _create_refresh_token(
    self: CognitoIdpUserPool, client_id: str, username: str
) -> tuple[str, str]:
    """moto's refresh token, remembering when its sign-in happened (one per sign-in).

    On the backend's clock, like the codes: `POST /dev/clock` ages a sign-in too.
    """
    refresh_token, origin_jti = _STOCK_CREATE_REFRESH_TOKEN(self, client_id, username)
    _sign_in_times(self)[origin_jti] = int(settings.clock())
    return refresh_token, origin_jti


def _create_jwt(
    self: CognitoIdpUserPool,
    client_id: str,
    username: str,
    token_use: str,
    expires_in: int = 60 * 60,
    extra_data: dict[str, Any] | None = None,
) -> tuple[str, int]:
    """moto's token, with the `auth_time` of the sign-in it descends from (as Cognito)."""
    extra = dict(extra_data or {})
    signed_in = _sign_in_times(self).get(str(extra.get("origin_jti")))
    if signed_in is not None:
        extra["auth_time"] = signed_in
    return _STOCK_CREATE_JWT(self, client_id, username, token_use, expires_in, extra)


def _admin_delete_user(self: CognitoIdpBackend, user_pool_id: str, username: str) -> None:
    """Revoke the user's refresh tokens, then moto's deletion."""
    user = self.admin_get_user(user_pool_id, username)
    self.describe_user_pool(user_pool_id).sign_out(user.username)
    _STOCK_ADMIN_DELETE_USER(self, user_pool_id, username)


def _get_user(self: CognitoIdpUserPool, username: str) -> CognitoIdpUser | None:
    """moto's lookup, then a case-insensitive one if the pool is case-insensitive."""
    user = _STOCK_GET_USER(self, username)
    config = self.extended_config.get("UsernameConfiguration") or {}
    if user is not None or not username or config.get("CaseSensitive", True):
        return user
    wanted = username.lower()
    aliases = self.extended_config.get("UsernameAttributes") or []
    for candidate in self.users.values():
        names = [candidate.username, *(candidate.attribute_lookup.get(a) for a in aliases)]
        if any(name and name.lower() == wanted for name in names):
            return candidate
    return None


_PATCHES: dict[str, Callable[..., Any]] = {
    "sign_up": sign_up,
    "confirm_sign_up": confirm_sign_up,
    "resend_confirmation_code": resend_confirmation_code,
    "forgot_password": forgot_password,
    "confirm_forgot_password": confirm_forgot_password,
    "initiate_auth": initiate_auth,
    "admin_initiate_auth": admin_initiate_auth,
    "respond_to_auth_challenge": respond_to_auth_challenge,
    "update_user_attributes": update_user_attributes,
    "verify_user_attribute": verify_user_attribute,
    "create_user_pool_client": create_user_pool_client,
    "update_user_pool_client": update_user_pool_client,
    **cognito_mfa.PATCHES,
}


def install() -> None:
    """Patch moto's cognito-idp responses in this process (idempotent)."""
    for name, patched in _PATCHES.items():
        if name not in _STOCK:
            _STOCK[name] = getattr(CognitoIdpResponse, name, None)  # type: ignore[assignment]
        setattr(CognitoIdpResponse, name, patched)
    CognitoIdpUserPool._get_user = _get_user  # type: ignore[method-assign]
    CognitoIdpUserPool.create_refresh_token = _create_refresh_token  # type: ignore[method-assign]
    CognitoIdpUserPool.create_jwt = _create_jwt  # type: ignore[method-assign]
    CognitoIdpBackend.admin_delete_user = _admin_delete_user  # type: ignore[method-assign]


def uninstall() -> None:
    """Restore moto's stock behaviour (tests of the layer compare both)."""
    for name, stock in _STOCK.items():
        if stock is None:
            delattr(CognitoIdpResponse, name)
        else:
            setattr(CognitoIdpResponse, name, stock)
    _STOCK.clear()
    CognitoIdpUserPool._get_user = _STOCK_GET_USER  # type: ignore[method-assign]
    CognitoIdpUserPool.create_refresh_token = _STOCK_CREATE_REFRESH_TOKEN  # type: ignore[method-assign]
    CognitoIdpUserPool.create_jwt = _STOCK_CREATE_JWT  # type: ignore[method-assign]
    CognitoIdpBackend.admin_delete_user = _STOCK_ADMIN_DELETE_USER  # type: ignore[method-assign]

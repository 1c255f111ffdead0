"""Time-based one-time passwords (RFC 6238) as authenticator apps and Cognito compute them.

HMAC-SHA1 over the 30-second step count, 6 digits, a base32 secret: what Google
Authenticator, 1Password and the like assume for an `otpauth://totp/` URI without
parameters, and what Cognito's software-token MFA uses. The local cloud checks codes with
it; tests compute codes from the secret the app shows, as a person's phone would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct

STEP_S = 30
DIGITS = 6
# Codes of the step before and after are accepted too: phones' clocks drift and a person
# needs a few seconds to type (RFC 6238 section 5.2 recommends at most one step).
WINDOW = 1


def new_secret() -> str:
    """A fresh 160-bit secret in base32 (32 characters, no padding), like Cognito's SecretCode."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def step_at(at: float) -> int:
    """The number of the 30-second step `at` (epoch seconds) falls in."""
    return int(at) // STEP_S


def code_for_step(secret: str, step: int) -> str:
    """The 6-digit code of one step (RFC 4226 dynamic truncation)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**DIGITS:0{DIGITS}d}"


def code_at(secret: str, at: float) -> str:
    """The code an authenticator app shows at time `at`."""
    return code_for_step(secret, step_at(at))


def matching_step(secret: str, code: str, at: float, after_step: int = -1) -> int | None:
    """The step within the window whose code is `code`, newer than `after_step`; else None.

    Passing the last step a code was accepted for makes every code single-use (RFC 6238
    section 5.2): a code seen over someone's shoulder is worthless once it was used.
    """
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = step_at(at)
    for step in range(now - WINDOW, now + WINDOW + 1):
        if step > after_step and hmac.compare_digest(code_for_step(secret, step), code):
            return step
    return None

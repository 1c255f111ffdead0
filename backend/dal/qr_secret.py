"""The QR signing key from Secrets Manager: read once per container (cold start), then cached."""

from __future__ import annotations

import functools

from backend import config
from backend.dal import secrets


@functools.cache
def signing_key() -> bytes:
    """The HMAC key for QR tokens (the secret's string value)."""
    return secrets.secret_string(config.QR_SECRET_ARN).encode()

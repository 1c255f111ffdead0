"""The QR signing key from Secrets Manager: read once per container (cold start), then cached."""

from __future__ import annotations

import functools

import botocore.session

from backend import config


@functools.cache
def signing_key() -> bytes:
    """The HMAC key for QR tokens (the secret's string value)."""
    session = botocore.session.get_session()
    secrets = session.create_client("secretsmanager", region_name=config.AWS_REGION)
    value = secrets.get_secret_value(SecretId=config.QR_SECRET_ARN)["SecretString"]
    return value.encode()

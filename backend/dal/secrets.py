"""Secrets Manager: each secret read once per container (cold start), then cached."""

from __future__ import annotations

import functools

import botocore.session

from backend import config


@functools.cache
def secret_string(secret_id: str) -> str:
    """The secret's string value."""
    session = botocore.session.get_session()
    client = session.create_client(
        "secretsmanager",
        region_name=config.AWS_REGION,
        endpoint_url=config.SECRETS_MANAGER_URL or None,
    )
    return str(client.get_secret_value(SecretId=secret_id)["SecretString"])

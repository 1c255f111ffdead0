"""The Cognito user pool, for the one thing the API does there: delete a user whose account
is being deleted (AdminDeleteUser, allowed on this pool only by the function's role).

Like the DynamoDB code, botocore directly; it honours AWS_ENDPOINT_URL, so the same call
reaches moto locally and Cognito in AWS. The client is made on first use: only account
deletion needs it, so no other route pays for it.
"""

from __future__ import annotations

import functools
from typing import Any

import botocore.session
from botocore.exceptions import ClientError

from backend import config


@functools.cache
def _client() -> Any:
    session = botocore.session.get_session()
    return session.create_client("cognito-idp", region_name=config.AWS_REGION)


def reset_client() -> None:
    """Forget the client (tests that swap endpoints)."""
    _client.cache_clear()


def delete_user(username: str) -> None:
    """Delete the user (their `username` claim: the `sub` when email is the sign-in name).

    A user who is already gone is deleted: a repeated deletion succeeds.
    """
    try:
        _client().admin_delete_user(UserPoolId=config.USER_POOL_ID, Username=username)
    except ClientError as error:
        if error.response["Error"]["Code"] != "UserNotFoundException":
            raise

"""Cognito PostConfirmation trigger: create the user's profile and email lookup.

Idempotent: Cognito may deliver the trigger again, and a second delivery must neither
fail (that would block the user's sign-up) nor duplicate anything.
"""

from typing import Any

from backend import clock
from backend.dal import users
from backend.observability import logger
from loyalty.bounds import DISPLAY_NAME_LENGTH


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Write profile + email lookup in one transaction; return the event as Cognito expects."""
    attributes = (event.get("request") or {}).get("userAttributes") or {}
    user_id = attributes["sub"]
    email = attributes.get("email", "").strip().lower()
    display_name = (attributes.get("name") or "").strip() or email.split("@", 1)[0] or "Customer"
    created = users.create_profile(
        user_id, email, display_name[: DISPLAY_NAME_LENGTH.high], clock.iso()
    )
    logger.info(
        "profile created" if created else "profile already existed", extra={"user_id": user_id}
    )
    return event

"""Every environment variable the Lambda code reads, read once at import.

boto3/botocore read AWS_ENDPOINT_URL and the region themselves, so the same code runs
against moto and AWS; nothing here (or anywhere) branches on "local".
"""

from __future__ import annotations

import os

TABLE_NAME: str = os.environ.get("TABLE_NAME", "epoint-ledger")
QR_SECRET_ARN: str = os.environ.get("QR_SECRET_ARN", "")
# The user pool whose users the API may delete (account deletion); Cognito's id, not a secret.
USER_POOL_ID: str = os.environ.get("USER_POOL_ID", "")
AWS_REGION: str = (
    os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"
)

# Product limits (not secrets, not per-deployment): here so a reader finds them in one place.
QR_TOKEN_TTL_SECONDS = 60
VISIT_TTL_SECONDS = 10 * 60
IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60
INVITATION_TTL_SECONDS = 7 * 24 * 60 * 60  # a staff invitation waits a week for its answer
MAX_BODY_BYTES = 16 * 1024
MAX_ID_CHARS = 128  # ids are ~30 characters, Cognito subs 36
# Deleting an account needs a sign-in (password) this recent: a stolen session is not enough.
RECENT_SIGN_IN_SECONDS = 5 * 60
# One DELETE /me call stops renaming ledger entries after this long and answers 202 (the
# client calls again): far inside the function's 10 s Timeout, whatever the history's length.
ERASE_BUDGET_SECONDS = 4.0
# The deletion record (for the confirmation email, sent from the table's stream) lives this long.
DELETION_RECORD_TTL_SECONDS = 7 * 24 * 3600

"""Every environment variable the Lambda code reads, read once at import.

boto3/botocore read AWS_ENDPOINT_URL and the region themselves, so the same code runs
against moto and AWS; nothing here (or anywhere) branches on "local".
"""

from __future__ import annotations

import os

TABLE_NAME: str = os.environ.get("TABLE_NAME", "epoint-ledger")
QR_SECRET_ARN: str = os.environ.get("QR_SECRET_ARN", "")
AWS_REGION: str = (
    os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"
)

# Product limits (not secrets, not per-deployment): here so a reader finds them in one place.
QR_TOKEN_TTL_SECONDS = 60
VISIT_TTL_SECONDS = 10 * 60
IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60
# Receipt codes that earn nothing (unknown, spent, expired), per customer per hour: a few
# typos pass, guessing does not (docs/api.md has the arithmetic).
CLAIM_FAILURES_PER_HOUR = 10
INVITATION_TTL_SECONDS = 7 * 24 * 60 * 60  # a staff invitation waits a week for its answer
# A page of an export (members, the ledger of a date range): a Query of this many items
# stays well inside a Lambda's time and DynamoDB's 1 MB page, however large the business.
EXPORT_PAGE_MAX = 500
MAX_BODY_BYTES = 16 * 1024
MAX_ID_CHARS = 128  # ids are ~30 characters, Cognito subs 36

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
# The live-hint channel (backend/dal/hint_channel.py): the Redis the state servers share.
# Empty host: no Redis here (the local cloud installs its in-process channel instead).
HINTS_REDIS_HOST: str = os.environ.get("HINTS_REDIS_HOST", "")
HINTS_REDIS_PORT: int = int(os.environ.get("HINTS_REDIS_PORT") or 6379)
HINTS_REDIS_AUTH_ARN: str = os.environ.get("HINTS_REDIS_AUTH_ARN", "")
# A VPC endpoint for Secrets Manager when the function has no NAT; empty: the usual one.
SECRETS_MANAGER_URL: str = os.environ.get("SECRETS_MANAGER_URL", "")
# Email (backend/events/notifier.py): the address it is from (of an SES-verified identity),
# the SES configuration set that reports bounces and complaints, the key that signs
# unsubscribe links, where those links and the web app are.
MAIL_FROM: str = os.environ.get("MAIL_FROM", "")
MAIL_CONFIGURATION_SET: str = os.environ.get("MAIL_CONFIGURATION_SET", "")
UNSUBSCRIBE_SECRET_ARN: str = os.environ.get("UNSUBSCRIBE_SECRET_ARN", "")
UNSUBSCRIBE_URL: str = os.environ.get("UNSUBSCRIBE_URL", "")
APP_URL: str = os.environ.get("APP_URL", "").rstrip("/")

# Multiplies every per-caller request allowance (backend/logic/limits.py); 1 in production.
# A load-test deployment raises it (template parameter PerCallerLimitScale), because one
# load-test till does what hundreds of real tills do. It never scales a lockout.
PER_CALLER_LIMIT_SCALE: int = max(1, int(os.environ.get("PER_CALLER_LIMIT_SCALE") or 1))

# Product limits (not secrets, not per-deployment): here so a reader finds them in one place.
QR_TOKEN_TTL_SECONDS = 60
VISIT_TTL_SECONDS = 10 * 60
# Redemptions only in the first minutes of a visit, while the customer who showed their
# code is surely at the till (docs/proof.md, threat model: draining an absent customer).
REDEEM_WINDOW_SECONDS = 3 * 60
# How long the customer has to allow a typed code on their My code screen.
APPROVAL_TTL_SECONDS = 60
IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60
INVITATION_TTL_SECONDS = 7 * 24 * 60 * 60  # a staff invitation waits a week for its answer
# A page of an export (members, the ledger of a date range): a Query of this many items
# stays well inside a Lambda's time and DynamoDB's 1 MB page, however large the business.
EXPORT_PAGE_MAX = 500
MAX_BODY_BYTES = 16 * 1024
MAX_ID_CHARS = 128  # ids are ~30 characters, Cognito subs 36
# How long the hint channel remembers an item it hinted: longer than the stream event
# source's MaximumRecordAgeInSeconds (600, template.yaml), after which Lambda no longer
# delivers a record, so no redelivery can outlive its dedup key.
HINT_DEDUP_TTL_SECONDS = 15 * 60

# Deleting an account needs a sign-in (password) this recent: a stolen session is not enough.
RECENT_SIGN_IN_SECONDS = 5 * 60
# One DELETE /me call stops renaming ledger entries after this long and answers 202 (the
# client calls again): far inside the function's 10 s Timeout, whatever the history's length.
ERASE_BUDGET_SECONDS = 4.0
# The deletion record (for the confirmation email, sent from the table's stream) lives this long.
DELETION_RECORD_TTL_SECONDS = 7 * 24 * 3600

# How long the notifier remembers an email it sent (its dedup item's TTL): longer than the
# stream's retention (24 h), so no record can come back after its email is forgotten. The
# claim is checked with attribute_not_exists, never with its age: TTL only tidies up.
MAIL_DEDUP_TTL_SECONDS = 2 * 24 * 60 * 60
# At most one reminder per customer per business in this long (issue 15: a week).
REMINDER_GAP_SECONDS = 7 * 24 * 60 * 60
# An expiry warning goes this long before the points expire (issue 15: two weeks).
EXPIRY_WARNING_SECONDS = 14 * 24 * 60 * 60

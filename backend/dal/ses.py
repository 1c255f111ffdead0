"""The one place that speaks SES: send one finished MIME message (SES v2 SendEmail, raw).

Raw, because the message carries what SES's simple form cannot: a plain-text and an HTML
part, and the List-Unsubscribe / List-Unsubscribe-Post headers (RFC 8058) that let a mail
client unsubscribe in one click. The configuration set makes SES report bounces and
complaints (to the MailFeedback topic, then `backend/events/mail_feedback.py`).

botocore honours AWS_ENDPOINT_URL like every other client here: the local cloud's moto
receives the same call and hands the message to its outbox.
"""

from __future__ import annotations

import functools
from email.utils import formataddr
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

from backend import config


class NotSent(Exception):
    """SES answered with a refusal (throttled, rejected...): the message did not go out."""


@functools.cache
def _client() -> Any:
    session = botocore.session.get_session()
    # One attempt, never botocore's retries: SendEmail has no idempotency token, so a retry
    # after a lost answer could send the email twice. SES's answer decides: a refusal is
    # NotSent (the caller may try again later); no answer at all leaves it unknown, and the
    # caller must not try again (at most once: a rare lost email, never a doubled one).
    retries = Config(retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=10)
    return session.create_client("sesv2", region_name=config.AWS_REGION, config=retries)


SENDER_NAME = "ePoint"


def sender() -> str:
    """The From of every email: 'ePoint <no-reply@mail.example.com>'."""
    return formataddr((SENDER_NAME, config.MAIL_FROM))


def send(message: bytes, to: str, kind: str) -> str:
    """Send `message` (a whole MIME message, From/To/Subject included) to `to`; SES's id.
    NotSent when SES refused it; any other error (the connection lost) means unknown.

    `kind` (receipt, reminder, invitation, account_deleted) is an SES message tag: SES's
    events and metrics can be split by it (which kind bounces), and the local outbox shows it.
    """
    try:
        answer = _client().send_email(
            FromEmailAddress=sender(),
            Destination={"ToAddresses": [to]},
            Content={"Raw": {"Data": message}},
            ConfigurationSetName=config.MAIL_CONFIGURATION_SET,
            EmailTags=[{"Name": "kind", "Value": kind}],
        )
    except ClientError as refused:
        raise NotSent(refused.response["Error"]["Code"]) from refused
    return str(answer["MessageId"])


def reset_client() -> None:
    """Forget the client (tests that start a fresh moto)."""
    _client.cache_clear()

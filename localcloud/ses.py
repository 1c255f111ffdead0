"""SES as AWS has it, on moto's SES v2 (moto 5.2.5, measured here): what a sent email does.

moto accepts SES v2 SendEmail from a verified identity and keeps the message in memory.
The notifier sends exactly what it sends in AWS (`backend/dal/ses.py`); here:

- **The outbox**: every message SES accepted lands in the local outbox (`localcloud/outbox.py`),
  parsed from its MIME: subject, the text and HTML parts, the headers (List-Unsubscribe...),
  the `kind` message tag. `/dev/outbox` shows them rendered.
- **Configuration sets**: SES refuses a send that names a configuration set that does not
  exist (NotFoundException); moto ignores the name. The template's sets are created in
  moto (`provision`), so a wrong name fails here as it would deployed.
- **The mailbox simulator**: in AWS, `bounce@simulator.amazonses.com` (also with a
  `+label`) bounces for good and `complaint@simulator.amazonses.com` complains, and SES
  publishes the event to the configuration set's event destinations. Here the event (SES's
  event-publishing JSON) is published on the destination's topic (`localcloud/topics.py`),
  which runs the function subscribed to it. moto's own simulator needs identity
  notification topics and moto's SNS-to-Lambda, which needs Docker.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

import boto3
from moto.ses.exceptions import NotFoundException
from moto.sesv2.responses import SESV2Response

from localcloud.outbox import Outbox
from localcloud.template import MailEvents

# bounce@simulator.amazonses.com, bounce+alice@simulator.amazonses.com, complaint@...
SIMULATOR = re.compile(r"^(bounce|complaint)(\+[^@]*)?@simulator\.amazonses\.com$", re.IGNORECASE)
_SKIPPED_HEADERS = ("content-", "mime-version")


@dataclass
class Settings:
    """What the patched SES needs from the running local cloud."""

    outbox: Outbox = field(default_factory=Outbox)
    # configuration set name -> its event destinations (topic logical id, event types)
    destinations: dict[str, tuple[tuple[str, frozenset[str]], ...]] = field(default_factory=dict)
    # (topic logical id, message JSON) -> published (localcloud.topics.Topics.publish)
    publish: Callable[[str, str], Any] | None = None


settings = Settings()
_STOCK_SEND = SESV2Response.send_email
_installed = False


def provision(region: str, identity: str, mail_events: list[MailEvents]) -> None:
    """Verify the sending identity and create the template's configuration sets in moto."""
    client = boto3.client("sesv2", region_name=region)
    known = {i["IdentityName"] for i in client.list_email_identities()["EmailIdentities"]}
    if identity not in known:
        client.create_email_identity(EmailIdentity=identity)
    existing = set(client.list_configuration_sets()["ConfigurationSets"])
    for events in mail_events:
        if events.name not in existing:
            client.create_configuration_set(ConfigurationSetName=events.name)
    settings.destinations = {e.name: e.topics for e in mail_events}


def _parts(params: dict[str, Any]) -> tuple[str, str, str, dict[str, str]]:
    """(subject, text, html, headers) of a SendEmail request's content."""
    content = params.get("Content") or {}
    if "Raw" in content:
        raw = base64.b64decode(content["Raw"]["Data"])
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        text = message.get_body(("plain",))
        page = message.get_body(("html",))
        headers = {
            name: str(value)
            for name, value in message.items()
            if not name.lower().startswith(_SKIPPED_HEADERS)
        }
        return (
            str(message.get("Subject", "")),
            text.get_content() if text is not None else "",  # type: ignore[union-attr]
            page.get_content() if page is not None else "",  # type: ignore[union-attr]
            headers,
        )
    simple = content.get("Simple") or {}
    body = simple.get("Body") or {}
    return (
        str((simple.get("Subject") or {}).get("Data", "")),
        str((body.get("Text") or {}).get("Data", "")),
        str((body.get("Html") or {}).get("Data", "")),
        {"From": str(params.get("FromEmailAddress", ""))},
    )


def simulated_event(
    kind: str, address: str, params: dict[str, Any], message_id: str
) -> dict[str, Any]:
    """The event SES publishes for a simulator address: a permanent bounce or a complaint."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    mail = {
        "timestamp": now,
        "source": str(params.get("FromEmailAddress", "")),
        "messageId": message_id,
        "destination": [address],
        "tags": {
            **{t["Name"]: [t["Value"]] for t in params.get("EmailTags") or []},
            "ses:configuration-set": [str(params.get("ConfigurationSetName", ""))],
        },
    }
    if kind == "bounce":
        return {
            "eventType": "Bounce",
            "bounce": {
                "bounceType": "Permanent",
                "bounceSubType": "General",
                "bouncedRecipients": [
                    {
                        "emailAddress": address,
                        "action": "failed",
                        "status": "5.1.1",
                        "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                    }
                ],
                "timestamp": now,
                "feedbackId": str(uuid.uuid4()),
            },
            "mail": mail,
        }
    return {
        "eventType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": address}],
            "complaintFeedbackType": "abuse",
            "timestamp": now,
            "feedbackId": str(uuid.uuid4()),
        },
        "mail": mail,
    }


def _send_email(self: SESV2Response) -> str:
    params = json.loads(self.body)
    config_set = params.get("ConfigurationSetName")
    if config_set and config_set not in self.sesv2_backend.core_backend.config_sets:
        raise NotFoundException(f"Configuration set <{config_set}> does not exist.")
    answer = _STOCK_SEND(self)
    message_id = json.loads(answer)["MessageId"]
    subject, text, page, headers = _parts(params)
    tags = {t["Name"]: t["Value"] for t in params.get("EmailTags") or []}
    for to in (params.get("Destination") or {}).get("ToAddresses") or []:
        address = parseaddr(to)[1]
        simulated = SIMULATOR.match(address)
        kind = simulated.group(1).lower() if simulated else None
        delivery = {"bounce": "bounced", "complaint": "complained"}.get(kind or "", "delivered")
        settings.outbox.deliver_email(
            address, subject, text, page, headers, tags.get("kind", "email"), delivery
        )
        if kind is None or settings.publish is None:
            continue
        event = json.dumps(simulated_event(kind, address, params, message_id))
        for topic, types in settings.destinations.get(config_set or "", ()):
            if kind in types:
                settings.publish(topic, event)
    return answer


def install() -> None:
    """Patch moto's SES v2 SendEmail (idempotent)."""
    global _installed
    if not _installed:
        SESV2Response.send_email = _send_email  # type: ignore[method-assign]
        _installed = True

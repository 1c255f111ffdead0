"""SES's bounces and complaints -> addresses that are never mailed again.

SES reports on every message sent with the configuration set (template.yaml,
`MailConfigurationSet`): its event destination publishes bounces and complaints to the
`MailFeedbackTopic`, which invokes this function. A permanent bounce or a complaint
suppresses the address (`EMAIL#<address>/MAIL`); the notifier checks that before every
email (`backend/logic/notifications.py`). Suppressing twice is harmless, so SNS's retries
need no dedup.
"""

from __future__ import annotations

import json
from typing import Any

from backend.logic import notifications
from backend.observability import count, log_metrics, logger


@log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> None:
    """An SNS event: each record's message is one SES event (JSON)."""
    for record in event.get("Records") or []:
        message = json.loads(record["Sns"]["Message"])
        suppressed = notifications.feedback(message)
        if suppressed:
            count(name="AddressesSuppressed", value=len(suppressed))
            logger.warning(
                "addresses suppressed",
                extra={
                    "count": len(suppressed),
                    "kind": message.get("eventType") or message.get("notificationType"),
                },
            )

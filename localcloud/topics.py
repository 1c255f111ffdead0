"""SNS topics whose subscribers are functions, in-process: every `Type: SNS` event of template.yaml.

What the local cloud publishes on a topic (so far: SES's bounces and complaints, from
`localcloud/ses.py`) reaches each function subscribed to it as SNS delivers to Lambda: an
asynchronous invocation with the SNS event (`Records[].Sns.Message`), on a worker thread,
never inside the publisher's call. A failed invocation is retried twice (Lambda's
asynchronous retries), then the event is given up on and counted as dead-lettered (shown at
`GET /dev/streams`, and logged).

moto's own SNS would hand a Lambda subscription to moto's Lambda, which needs Docker.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from localcloud.template import TopicSubscription

log = logging.getLogger(__name__)

# (event, handler path, function logical id) -> the handler's return value (LocalCloud.invoke)
Invoke = Callable[[dict[str, Any], str, str], Any]

ASYNC_ATTEMPTS = 3  # Lambda's asynchronous invocation: the first try and two retries
RETRY_DELAY_S = 0.2


class Topics:
    """Publishes to the template's topics and delivers to their subscribed functions."""

    def __init__(
        self,
        subscriptions: list[TopicSubscription],
        invoke: Invoke,
        *,
        region: str,
        account: str = "123456789012",
    ) -> None:
        self.subscriptions = subscriptions
        self.invoke = invoke
        self.region = region
        self.account = account
        self._queue: queue.Queue[tuple[TopicSubscription, dict[str, Any]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._idle = threading.Condition()
        self._pending = 0
        self.delivered: dict[str, int] = {}
        self.dead_lettered: dict[str, int] = {}

    def arn(self, topic: str) -> str:
        return f"arn:aws:sns:{self.region}:{self.account}:{topic}"

    def publish(self, topic: str, message: str, subject: str | None = None) -> str:
        """Publish `message` on the topic (logical id); its subscribers get it soon after."""
        message_id = str(uuid.uuid4())
        record = {
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": f"{self.arn(topic)}:{uuid.uuid4()}",
            "Sns": {
                "Type": "Notification",
                "MessageId": message_id,
                "TopicArn": self.arn(topic),
                "Subject": subject,
                "Message": message,
                "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                "SignatureVersion": "1",
                "Signature": "local",
                "SigningCertUrl": "",
                "UnsubscribeUrl": "",
                "MessageAttributes": {},
            },
        }
        for subscription in self.subscriptions:
            if subscription.topic == topic:
                with self._idle:
                    self._pending += 1
                self._queue.put((subscription, {"Records": [record]}))
        return message_id

    def start(self) -> Topics:
        """Start the delivery thread (nothing to do without subscriptions)."""
        if self.subscriptions:
            self._thread = threading.Thread(target=self._run, name="epoint-topics", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after the delivery in flight."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)

    def wait_idle(self, timeout_s: float) -> bool:
        """Block until every published message was delivered or given up (tests)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout_s)

    def _run(self) -> None:
        while (work := self._queue.get()) is not None:
            subscription, event = work
            try:
                self._deliver(subscription, event)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _deliver(self, subscription: TopicSubscription, event: dict[str, Any]) -> None:
        name = subscription.function
        for attempt in range(1, ASYNC_ATTEMPTS + 1):
            try:
                self.invoke(event, subscription.handler, name)
            except Exception:
                log.exception("%s failed an SNS event (attempt %d)", name, attempt)
                threading.Event().wait(RETRY_DELAY_S * attempt)
                continue
            self.delivered[name] = self.delivered.get(name, 0) + 1
            return
        self.dead_lettered[name] = self.dead_lettered.get(name, 0) + 1
        log.warning(
            "%s: an SNS event was given up after %d attempts: %s",
            name,
            ASYNC_ATTEMPTS,
            json.dumps(event)[:500],
        )

    def status(self) -> list[dict[str, Any]]:
        """Each subscription and what it got (GET /dev/streams)."""
        return [
            {
                "topic": s.topic,
                "function": s.function,
                "delivered": self.delivered.get(s.function, 0),
                "dead_lettered": self.dead_lettered.get(s.function, 0),
            }
            for s in self.subscriptions
        ]

"""The local hint channel: what Redis pub/sub (ElastiCache) is in AWS, inside this process.

The hints function publishes on it: the local cloud installs it into
`backend.dal.hint_channel` (same rule as the Redis script there: a dedup key claimed for
its TTL, a second publish with that key sends nothing). State servers listen: in this
process with `subscribe()`, from another process at `GET /dev/hints` on the gateway
(server-sent events: a `: connected` comment once subscribed, `data: <message>` per
hint, a `: keepalive` comment every 15 s). Like Redis pub/sub it keeps nothing for a
listener that is not connected: a hint published while nobody listens is gone.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable, Iterator

KEEPALIVE_S = 15.0
# A listener that stops reading loses its oldest hints past this many (Redis would drop
# the connection of a subscriber that far behind).
BACKLOG = 10_000


class Subscription:
    """One listener's queue of messages."""

    def __init__(self, broker: HintBroker) -> None:
        self._broker = broker
        self._queue: collections.deque[str] = collections.deque(maxlen=BACKLOG)
        self._ready = threading.Condition()
        self.closed = False

    def deliver(self, message: str) -> None:
        with self._ready:
            self._queue.append(message)
            self._ready.notify()

    def get(self, timeout_s: float) -> str | None:
        """The next message, or None after `timeout_s` (or once closed)."""
        with self._ready:
            self._ready.wait_for(lambda: self._queue or self.closed, timeout_s)
            return self._queue.popleft() if self._queue else None

    def close(self) -> None:
        """Stop listening (and wake a reader waiting in `get`)."""
        with self._ready:
            self.closed = True
            self._ready.notify_all()
        self._broker._forget(self)


class HintBroker:
    """Publish-once and fan-out to every current subscriber."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._claimed: dict[str, float] = {}  # dedup key -> when the claim lapses
        self._subscribers: set[Subscription] = set()
        self.published = 0
        self.duplicates = 0

    def publish_once(self, message: str, dedup_key: str, ttl_s: int) -> bool:
        """Publish unless `dedup_key` was claimed in the last `ttl_s` s (backend Channel protocol)."""
        now = self._clock()
        with self._lock:
            if self._claimed.get(dedup_key, 0.0) > now:
                self.duplicates += 1
                return False
            self._claimed.pop(dedup_key, None)  # a lapsed claim: re-added at the end
            self._claimed[dedup_key] = now + ttl_s
            self._forget_lapsed(now)
            self.published += 1
            listeners = list(self._subscribers)
        for listener in listeners:
            listener.deliver(message)
        return True

    def tell_everyone(self) -> None:
        """Every listening screen looks again (time travel: the truth moved for everyone)."""
        from backend.dal.hint_channel import everyone_message

        with self._lock:
            listeners = list(self._subscribers)
        for listener in listeners:
            listener.deliver(everyone_message())

    def subscribe(self) -> Subscription:
        """A new listener; it gets every message published from now on."""
        subscription = Subscription(self)
        with self._lock:
            self._subscribers.add(subscription)
        return subscription

    def listeners(self) -> int:
        """How many listeners are subscribed now."""
        with self._lock:
            return len(self._subscribers)

    def close(self) -> None:
        """End every subscription (the local cloud is stopping)."""
        with self._lock:
            listeners = list(self._subscribers)
        for listener in listeners:
            listener.close()

    def _forget(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(subscription)

    def _forget_lapsed(self, now: float) -> None:
        # Claims are added in time order with one TTL, so the oldest lapse first.
        while self._claimed:
            key, until = next(iter(self._claimed.items()))
            if until > now:
                break
            del self._claimed[key]


def event_stream(broker: HintBroker, keepalive_s: float = KEEPALIVE_S) -> Iterator[bytes]:
    """The `/dev/hints` response body: server-sent events until the listener or broker goes."""
    subscription = broker.subscribe()
    try:
        yield b": connected\n\n"
        while not subscription.closed:
            message = subscription.get(keepalive_s)
            if message is not None:
                yield f"data: {message}\n\n".encode()
            elif not subscription.closed:
                yield b": keepalive\n\n"
    finally:
        subscription.close()

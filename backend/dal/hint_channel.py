"""The hint channel, publishing side: "customer X, look again", to every state server.

In AWS it is Redis pub/sub on the ElastiCache the state servers share (one channel,
`CHANNEL`; every state server subscribes and wakes its own open screens). A hint carries
only the customer's id: the screens re-read the truth from the API.

At most one hint per item, ever: one Lua script claims the item's dedup key
(`SET NX EX`) and publishes in the same atomic step, so a batch that Lambda retries
publishes nothing twice, and a publish that failed (Redis down) claimed nothing and is
retried. The local cloud, which stands in for every AWS service, installs its own
in-process channel with `use()`; nothing else branches on where it runs.
"""

from __future__ import annotations

import functools
import json
from typing import Protocol

from backend import config
from backend.dal import secrets

# The one channel every state server listens on (epoint_ui/hints.py names it too;
# tests/unit/test_hints.py checks that both sides agree).
CHANNEL = "epoint:hints"
DEDUP_PREFIX = "epoint:hinted:"

# KEYS[1] = dedup key; ARGV = message, ttl seconds, channel. Returns the number of
# listeners reached, or -1 when the key was already claimed (a duplicate: nothing sent).
_PUBLISH_ONCE = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[2])) then
  return redis.call('PUBLISH', ARGV[3], ARGV[1])
end
return -1
"""


class Channel(Protocol):
    """Where hints go: publishes `message` unless `dedup_key` was claimed in the last `ttl_s`."""

    def publish_once(self, message: str, dedup_key: str, ttl_s: int) -> bool:
        """True if published now, False if this key was already published (a duplicate)."""
        ...


class RedisChannel:
    """Redis pub/sub over TLS with the AUTH token (ElastiCache)."""

    def __init__(self, host: str, port: int, password: str | None, *, tls: bool = True) -> None:
        import redis  # only the hints function needs it

        self._redis = redis.Redis(
            host=host,
            port=port,
            password=password,
            ssl=tls,
            # Short: a slow Redis must fail the record (Lambda retries it), not hang the batch.
            socket_timeout=2,
            socket_connect_timeout=2,
            health_check_interval=30,
        )
        self._script = self._redis.register_script(_PUBLISH_ONCE)

    def publish_once(self, message: str, dedup_key: str, ttl_s: int) -> bool:
        """Claim the key and publish, atomically; False for a duplicate."""
        return int(self._script(keys=[dedup_key], args=[message, ttl_s, CHANNEL])) >= 0


_installed: Channel | None = None


def use(channel: Channel | None) -> None:
    """Install the channel to publish on (the local cloud's, a test's); None: back to Redis."""
    global _installed
    _installed = channel


@functools.cache
def _redis_channel() -> RedisChannel:
    if not config.HINTS_REDIS_HOST:
        raise RuntimeError("HINTS_REDIS_HOST is not set and no hint channel was installed")
    password = (
        secrets.secret_string(config.HINTS_REDIS_AUTH_ARN) if config.HINTS_REDIS_AUTH_ARN else None
    )
    return RedisChannel(config.HINTS_REDIS_HOST, config.HINTS_REDIS_PORT, password)


def message(customer_id: str) -> str:
    """What a hint says: whose screens should look again (and nothing more)."""
    return json.dumps({"customer_id": customer_id}, separators=(",", ":"))


def everyone_message() -> str:
    """A hint to every open screen (the local cloud sends it when its clock is moved)."""
    return json.dumps({"everyone": True}, separators=(",", ":"))


def publish_once(customer_id: str, item_key: str) -> bool:
    """Hint `customer_id` because of `item_key`, unless that item was hinted already."""
    channel = _installed if _installed is not None else _redis_channel()
    return channel.publish_once(
        message(customer_id), DEDUP_PREFIX + item_key, config.HINT_DEDUP_TTL_SECONDS
    )

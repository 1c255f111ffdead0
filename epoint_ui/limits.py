"""What one caller may use of the state server, and every number for it, in one place.

One caller must not spoil the service for everyone else (docs/proof.md, "One caller
blocking everyone"): the user pool's request quotas (sign-in, sign-up, codes) and its
daily email allowance are shared by every customer, and each open screen's background
loop holds a task on this server. So:

- **Attempts per window**: signing in, signing up, asking for a code or a password reset,
  and entering a code are counted per client (the address the state server sees; in AWS
  the load balancer's hop of X-Forwarded-For, `REFLEX_TRUSTED_PROXY_HOPS=1`) and per email
  address they aim at, so neither one noisy address nor a spread-out attack on one
  account gets far. Failed sign-ins are counted per email on their own: a person's own
  successful sign-ins never lock them out. Past a limit the caller reads "Too many
  attempts. Try again in N minutes." and nothing reaches Cognito.
- **Background loops at once per person** (e.g. My code open in many tabs): the extra ones
  stop with a sentence.

Counts live where the sessions live (`session_store.py`): in this process, or in Redis
when several state-server tasks share the work, so a caller gains nothing by landing on
another task. Windows are fixed (a counter per window; at a window's edge a caller can
get at most twice a limit through); email addresses are stored hashed.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from epoint_ui import auth, session_store


@dataclass(frozen=True)
class Window:
    """At most `attempts` in each `seconds`."""

    attempts: int
    seconds: int


# action -> who is counted -> the limit. "client": the caller's address; "email": the
# account aimed at. The sizes: a person needs a handful of each in a quarter of an hour;
# a café's customers behind one shop router share the "client" count.
ATTEMPTS: dict[str, dict[str, Window]] = {
    "sign_in": {"client": Window(30, 15 * 60)},
    "sign_in_failure": {"email": Window(10, 15 * 60)},
    # Each of these emails someone: the pool's daily email allowance is shared by all.
    "sign_up": {"client": Window(10, 60 * 60), "email": Window(3, 60 * 60)},
    "send_code": {"client": Window(10, 60 * 60), "email": Window(5, 60 * 60)},
    "reset_password": {"client": Window(10, 60 * 60), "email": Window(5, 60 * 60)},
    # Typing a code (confirmation, reset, two-step): Cognito limits guesses per code too.
    "enter_code": {"client": Window(30, 15 * 60), "email": Window(20, 15 * 60)},
}

# What Cognito answers for a wrong password (or an unknown email: it does not tell them apart).
WRONG_PASSWORD = ("NotAuthorizedException", "UserNotFoundException")

# Background loops one person may run at once, per kind (My code in three tabs is plenty).
LOOPS_PER_PERSON = 3
# A loop renews its slot at every wake; one that died without a word frees it after this.
LOOP_LEASE_S = 300


class TooManyAttempts(Exception):
    """A limit is spent: the sentence says when to try again."""

    def __init__(self, retry_after_s: float) -> None:
        minutes = max(1, math.ceil(retry_after_s / 60))
        unit = "minute" if minutes == 1 else "minutes"
        self.message = f"Too many attempts. Try again in {minutes} {unit}."
        self.retry_after_s = retry_after_s
        super().__init__(self.message)


class Counters(Protocol):
    """Counters that reset at the end of their window, and leases that expire."""

    async def add(self, key: str, window_s: int) -> tuple[int, float]:
        """One more in `key`'s current window: (the count now, seconds until it resets)."""
        ...

    async def peek(self, key: str) -> tuple[int, float]:
        """The count of `key`'s current window, without adding."""
        ...

    async def hold(self, key: str, holder: str, most: int, lease_s: int) -> int:
        """Takes (or renews) one of `most` slots for `holder`; 0 when taken, else the others held."""
        ...

    async def release(self, key: str, holder: str) -> None:
        """Gives a slot back."""
        ...


class MemoryCounters:
    """Counters in this process (one state server)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._counts: dict[str, tuple[float, int]] = {}  # key -> (resets at, count)
        self._slots: dict[str, dict[str, float]] = {}  # key -> holder -> lease ends
        self._clock = clock

    def _current(self, key: str) -> tuple[float, int]:
        resets_at, count = self._counts.get(key, (0.0, 0))
        return (resets_at, count) if resets_at > self._clock() else (0.0, 0)

    async def add(self, key: str, window_s: int) -> tuple[int, float]:
        """One more in `key`'s current window: (the count now, seconds until it resets)."""
        resets_at, count = self._current(key)
        resets_at = resets_at or self._clock() + window_s
        self._counts[key] = (resets_at, count + 1)
        return count + 1, resets_at - self._clock()

    async def peek(self, key: str) -> tuple[int, float]:
        """The count of `key`'s current window, without adding."""
        resets_at, count = self._current(key)
        return count, max(0.0, resets_at - self._clock())

    async def hold(self, key: str, holder: str, most: int, lease_s: int) -> int:
        """Takes (or renews) one of `most` slots for `holder`; 0 when taken, else the others held."""
        now = self._clock()
        slots = {h: end for h, end in self._slots.get(key, {}).items() if end > now}
        if holder not in slots and len(slots) >= most:
            self._slots[key] = slots
            return len(slots)
        slots[holder] = now + lease_s
        self._slots[key] = slots
        return 0

    async def release(self, key: str, holder: str) -> None:
        """Gives a slot back."""
        self._slots.get(key, {}).pop(holder, None)


# Check and take a slot in one step, so two tasks never both take the last one.
_HOLD = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if not redis.call('ZSCORE', KEYS[1], ARGV[3]) then
  local held = redis.call('ZCARD', KEYS[1])
  if held >= tonumber(ARGV[4]) then return held end
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 0
"""


class RedisCounters:
    """Counters in Redis, shared by every state-server task."""

    def __init__(self, url: str, prefix: str = "epoint:limit:") -> None:
        import redis.asyncio as redis  # only needed when Redis is configured

        self._redis = redis.from_url(url)
        self._prefix = prefix

    async def add(self, key: str, window_s: int) -> tuple[int, float]:
        """One more in `key`'s current window: (the count now, seconds until it resets)."""
        name = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(name, 0, ex=window_s, nx=True)  # a new window starts at zero
            pipe.incr(name)
            pipe.pttl(name)
            _, count, ttl_ms = await pipe.execute()
        return int(count), max(0, int(ttl_ms)) / 1000

    async def peek(self, key: str) -> tuple[int, float]:
        """The count of `key`'s current window, without adding."""
        name = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(name)
            pipe.pttl(name)
            count, ttl_ms = await pipe.execute()
        return int(count or 0), max(0, int(ttl_ms)) / 1000

    async def hold(self, key: str, holder: str, most: int, lease_s: int) -> int:
        """Takes (or renews) one of `most` slots for `holder`; 0 when taken, else the others held."""
        now = time.time()
        held = await self._redis.eval(
            _HOLD, 1, self._prefix + key, now, now + lease_s, holder, most, lease_s
        )
        return int(held)

    async def release(self, key: str, holder: str) -> None:
        """Gives a slot back."""
        await self._redis.zrem(self._prefix + key, holder)


_counters: Counters | None = None


def get_counters() -> Counters:
    """The process's counters, beside the sessions: in the same Redis, or in memory."""
    global _counters
    if _counters is None:
        store = session_store.get_store()
        redis_store = isinstance(store, session_store.RedisSessionStore)
        _counters = RedisCounters(store.url) if redis_store else MemoryCounters()
    return _counters


def client_of(state: Any) -> str:
    """The caller as the limits count them: the address of the tab's connection."""
    return str(state.router.session.client_ip or "unknown")


def _key(action: str, kind: str, value: str) -> str:
    if kind == "email":
        value = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"{action}:{kind}:{value}"


def _whom(action: str, who: dict[str, str]) -> list[tuple[str, Window]]:
    limits = ATTEMPTS[action]
    return [(_key(action, kind, value), limits[kind]) for kind, value in who.items() if value]


async def attempt(action: str, **who: str) -> None:
    """Counts one `action` by `who` (client=..., email=...); TooManyAttempts once any is spent."""
    counters = get_counters()
    wait = 0.0
    for key, window in _whom(action, who):
        count, resets_in = await counters.add(key, window.seconds)
        if count > window.attempts:
            wait = max(wait, resets_in)
    if wait:
        raise TooManyAttempts(wait)


async def ensure_left(action: str, **who: str) -> None:
    """TooManyAttempts when `who` has spent `action`'s limit; counts nothing."""
    counters = get_counters()
    for key, window in _whom(action, who):
        count, resets_in = await counters.peek(key)
        if count >= window.attempts:
            raise TooManyAttempts(resets_in)


async def count(action: str, **who: str) -> None:
    """Counts one `action` that already happened (e.g. a failed sign-in)."""
    counters = get_counters()
    for key, window in _whom(action, who):
        await counters.add(key, window.seconds)


@asynccontextmanager
async def password_attempt(client: str, email: str) -> AsyncIterator[None]:
    """Around one password check (sign-in, or confirming it is you): TooManyAttempts first
    when the client or the account has spent its tries; a wrong password counts against
    the account (a right one never does)."""
    await ensure_left("sign_in_failure", email=email)
    await attempt("sign_in", client=client)
    try:
        yield
    except auth.AuthError as exc:
        if exc.code in WRONG_PASSWORD:
            await count("sign_in_failure", email=email)
        raise


@dataclass
class LoopSlot:
    """A background loop's place among one person's loops of a kind (`take_loop_slot`)."""

    key: str
    holder: str
    others: int  # how many loops held the slots when this one was refused (0: granted)

    @property
    def granted(self) -> bool:
        """Whether this loop may run."""
        return self.others == 0

    async def renew(self) -> bool:
        """Keeps the slot (call now and then, well within `LOOP_LEASE_S`); False if it was lost."""
        held = await get_counters().hold(self.key, self.holder, LOOPS_PER_PERSON, LOOP_LEASE_S)
        return held == 0

    async def release(self) -> None:
        """Gives the slot back (the loop ended)."""
        if self.granted:
            await get_counters().release(self.key, self.holder)


async def take_loop_slot(kind: str, person: str, holder: str) -> LoopSlot:
    """One of `person`'s `LOOPS_PER_PERSON` slots for loops of `kind`, for `holder` (a tab:
    taking it again, e.g. for the tab's next loop, keeps the same slot)."""
    key = f"loops:{kind}:{person}"
    others = await get_counters().hold(key, holder, LOOPS_PER_PERSON, LOOP_LEASE_S)
    return LoopSlot(key, holder, others)

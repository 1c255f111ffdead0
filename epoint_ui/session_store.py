"""Where signed-in sessions live on the server: session id -> the user's tokens.

The browser holds only an opaque random session id (an HttpOnly cookie, see
`session_cookie.py`); the tokens stay here. In memory for one state-server process; in
Redis (`REFLEX_REDIS_URL`) when several state-server tasks must share sessions. A second
store of the same kind holds the one-time claims a page trades for that cookie.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import Any, Protocol

from epoint_ui.settings import get_settings


class SessionStore(Protocol):
    """Server-side session records, each living `ttl_s` seconds after its last write."""

    async def get(self, session_id: str) -> dict[str, Any] | None:
        """The record, or None when unknown or expired."""
        ...

    async def put(self, session_id: str, record: dict[str, Any], ttl_s: int) -> None:
        """Creates or replaces a record."""
        ...

    async def delete(self, session_id: str) -> None:
        """Forgets a record (sign-out)."""
        ...

    async def take(self, session_id: str) -> dict[str, Any] | None:
        """The record, deleted in the same step: of two concurrent takers only one gets it."""
        ...


class MemorySessionStore:
    """Sessions in this process's memory (lost on restart: users sign in again)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._records: dict[str, tuple[float, dict[str, Any]]] = {}
        self._clock = clock

    async def get(self, session_id: str) -> dict[str, Any] | None:
        """The record, or None when unknown or expired."""
        entry = self._records.get(session_id)
        if entry is None:
            return None
        expires, record = entry
        if expires < self._clock():
            self._records.pop(session_id, None)
            return None
        return record

    async def put(self, session_id: str, record: dict[str, Any], ttl_s: int) -> None:
        """Creates or replaces a record."""
        self._records[session_id] = (self._clock() + ttl_s, record)

    async def delete(self, session_id: str) -> None:
        """Forgets a record."""
        self._records.pop(session_id, None)

    async def take(self, session_id: str) -> dict[str, Any] | None:
        """The record, deleted in the same step (no await in between: atomic on the loop)."""
        entry = self._records.pop(session_id, None)
        if entry is None or entry[0] < self._clock():
            return None
        return entry[1]


class RedisSessionStore:
    """Sessions in Redis, shared by every state-server task."""

    def __init__(self, url: str, prefix: str = "epoint:session:") -> None:
        import redis.asyncio as redis  # only needed when Redis is configured

        self._redis = redis.from_url(url)
        self._prefix = prefix

    def _key(self, session_id: str) -> str:
        return f"{self._prefix}{session_id}"

    async def get(self, session_id: str) -> dict[str, Any] | None:
        """The record, or None when unknown or expired."""
        raw = await self._redis.get(self._key(session_id))
        return json.loads(raw) if raw else None

    async def put(self, session_id: str, record: dict[str, Any], ttl_s: int) -> None:
        """Creates or replaces a record."""
        await self._redis.set(self._key(session_id), json.dumps(record), ex=ttl_s)

    async def delete(self, session_id: str) -> None:
        """Forgets a record."""
        await self._redis.delete(self._key(session_id))

    async def take(self, session_id: str) -> dict[str, Any] | None:
        """The record, deleted in the same step (GETDEL, Redis 6.2+)."""
        raw = await self._redis.getdel(self._key(session_id))
        return json.loads(raw) if raw else None


_store: SessionStore | None = None
_claims: SessionStore | None = None


def get_store() -> SessionStore:
    """The process's session store (Redis when configured, memory otherwise)."""
    global _store
    if _store is None:
        url = get_settings().redis_url
        _store = RedisSessionStore(url) if url else MemorySessionStore()
    return _store


def get_claims() -> SessionStore:
    """The one-time claims for the session cookie (`session_cookie.py`)."""
    # A store apart from the sessions: neither kind of id can ever be used as the other.
    global _claims
    if _claims is None:
        url = get_settings().redis_url
        _claims = RedisSessionStore(url, prefix="epoint:claim:") if url else MemorySessionStore()
    return _claims


def new_session_id() -> str:
    """An unguessable session id (256 random bits)."""
    return secrets.token_urlsafe(32)

"""Where signed-in sessions live on the server: session id -> the user's tokens.

The browser holds only an opaque random session id (a cookie); the tokens stay here.
In memory for one state-server process; in Redis (`REFLEX_REDIS_URL`) when several
state-server tasks must share sessions.
"""

from __future__ import annotations

import json
import secrets
import time
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


class MemorySessionStore:
    """Sessions in this process's memory (lost on restart: users sign in again)."""

    def __init__(self) -> None:
        self._records: dict[str, tuple[float, dict[str, Any]]] = {}

    async def get(self, session_id: str) -> dict[str, Any] | None:
        """The record, or None when unknown or expired."""
        entry = self._records.get(session_id)
        if entry is None:
            return None
        expires, record = entry
        if expires < time.time():
            self._records.pop(session_id, None)
            return None
        return record

    async def put(self, session_id: str, record: dict[str, Any], ttl_s: int) -> None:
        """Creates or replaces a record."""
        self._records[session_id] = (time.time() + ttl_s, record)

    async def delete(self, session_id: str) -> None:
        """Forgets a record."""
        self._records.pop(session_id, None)


class RedisSessionStore:
    """Sessions in Redis, shared by every state-server task."""

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis  # only needed when Redis is configured

        self._redis = redis.from_url(url)

    @staticmethod
    def _key(session_id: str) -> str:
        return f"epoint:session:{session_id}"

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


_store: SessionStore | None = None


def get_store() -> SessionStore:
    """The process's session store (Redis when configured, memory otherwise)."""
    global _store
    if _store is None:
        url = get_settings().redis_url
        _store = RedisSessionStore(url) if url else MemorySessionStore()
    return _store


def new_session_id() -> str:
    """An unguessable session id (256 random bits)."""
    return secrets.token_urlsafe(32)

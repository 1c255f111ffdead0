"""Which web pages may talk to the state server: the web app's origins, and nothing else.

A browser names the page that opens a websocket or sends a POST in its `Origin` header;
a page on another site cannot forge it. So, with an allow-list configured (always in
production, see `settings.frontend_origins`), the websocket (`/_event`) opens only for
those origins, and a handshake with a foreign or missing Origin is refused with 403
before Reflex sees it (Socket.IO's own check lets a missing Origin through). The session
cookie's endpoints (`session_cookie.py`) use the same test.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from epoint_ui.settings import ANY_ORIGIN, get_settings

EVENT_PATH = "/_event"


def origin_allowed(origin: str | None, allowed: Sequence[str]) -> bool:
    """Whether a request from a page at `origin` may use the state server."""
    if not origin:
        return False  # browsers always send it on websockets and POSTs; only other clients omit it
    return tuple(allowed) == ANY_ORIGIN or origin.rstrip("/") in allowed


def request_origin(scope: Scope) -> str | None:
    """The Origin header of an ASGI request, if it has one."""
    for name, value in scope.get("headers", []):
        if name == b"origin":
            return value.decode("latin-1")
    return None


def _configured_origins() -> tuple[str, ...]:
    return get_settings().frontend_origins


class OriginGuard:
    """ASGI middleware: refuses `/_event` (websocket or polling) from any other origin."""

    def __init__(
        self, app: ASGIApp, origins: Callable[[], Sequence[str]] = _configured_origins
    ) -> None:
        self.app = app
        self._origins = origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Passes the request on, unless it is an `/_event` request from a refused origin."""
        if (
            scope["type"] not in ("websocket", "http")
            or not scope.get("path", "").startswith(EVENT_PATH)
            or origin_allowed(request_origin(scope), self._origins())
        ):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            # Closing before accepting: the server answers the handshake with 403.
            await send({"type": "websocket.close", "code": 1008})
            return
        body = json.dumps(
            {"error": {"code": "origin_refused", "message": "This page may not use ePoint."}}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

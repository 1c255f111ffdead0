"""The one HTTP client every state uses to talk to the ePoint API.

It attaches the signed-in user's access token, sends an `Idempotency-Key` when asked,
and turns every failure into an `ApiError` whose message is a sentence a person
understands. No exception from httpx or a stack trace ever reaches a page.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

import httpx

from epoint_ui.settings import get_settings

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(10.0, connect=5.0)

# Said when the API gives no sentence of its own (API Gateway's 401/403 bodies, proxies).
_FALLBACK = {
    400: "That request was not understood. Please check what you entered and try again.",
    401: "Your session has ended. Please sign in again.",
    403: "You don't have permission to do that.",
    404: "We couldn't find that. It may have been removed.",
    409: "That can't be done right now because something changed. Please refresh and try again.",
    410: "That has expired. Please start again.",
    413: "That is too large to send.",
    422: "Some of what you entered isn't valid. Please check it and try again.",
    429: "Too many requests at once. Please wait a moment and try again.",
}
_SERVER_ERROR = "Something went wrong on our side. Please try again in a moment."
_NETWORK_ERROR = "We couldn't reach ePoint. Check your connection and try again."
_TIMEOUT_ERROR = "ePoint is taking too long to answer. Please try again."


class ApiError(Exception):
    """A failed API call, carrying a sentence for the user and the API's error code."""

    def __init__(self, message: str, *, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    @property
    def signed_out(self) -> bool:
        """True when the session is no longer valid and the user must sign in again."""
        return self.status == 401


def error_from_response(response: httpx.Response) -> ApiError:
    """Maps a non-2xx response to an ApiError, preferring the API's own sentence."""
    status = response.status_code
    code, message = "", ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        code = str(body["error"].get("code") or "")
        message = str(body["error"].get("message") or "")
    if status == 401:
        # Whatever the gateway says, for the user this means "sign in again".
        message = _FALLBACK[401]
    elif status >= 500:
        message = _SERVER_ERROR
    elif not message:
        message = _FALLBACK.get(status, _SERVER_ERROR)
    return ApiError(message, status=status, code=code)


_clients: dict[int, httpx.AsyncClient] = {}


def _shared_client() -> httpx.AsyncClient:
    """One pooled connection per event loop, so polling does not reconnect every second."""
    loop_id = id(asyncio.get_running_loop())
    client = _clients.get(loop_id)
    if client is None or client.is_closed:
        client = httpx.AsyncClient(base_url=get_settings().api_url, timeout=TIMEOUT)
        _clients[loop_id] = client
    return client


class ApiClient:
    """Calls the ePoint API as one user (or anonymously when no token is given)."""

    def __init__(self, access_token: str | None = None, user_id: str = "") -> None:
        self._access_token = access_token
        # Whose calls these are (the token's `sub`): the hint channel names customers by it.
        self.user_id = user_id

    async def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """GET a JSON resource; `None` query values are left out."""
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        return await self._send("GET", path, params=clean)

    async def post(
        self, path: str, body: dict[str, Any] | None = None, *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """POST a JSON body; pass `idempotency_key` (see `new_idempotency_key`) for balance changes."""
        return await self._send("POST", path, json=body or {}, idempotency_key=idempotency_key)

    async def patch(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """PATCH a JSON body."""
        return await self._send("PATCH", path, json=body)

    async def delete(self, path: str) -> dict[str, Any]:
        """DELETE a resource; an empty answer (204) comes back as `{}`."""
        return await self._send("DELETE", path)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        if self._access_token:
            headers["Authorization"] = f"Bearer {self._access_token}"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            response = await _shared_client().request(
                method, path, params=params, json=json, headers=headers
            )
        except httpx.TimeoutException as exc:
            log.warning("API %s %s timed out: %s", method, path, exc)
            raise ApiError(_TIMEOUT_ERROR, code="timeout") from exc
        except httpx.HTTPError as exc:
            log.warning("API %s %s failed: %s", method, path, exc)
            raise ApiError(_NETWORK_ERROR, code="network") from exc
        if response.status_code >= 400:
            error = error_from_response(response)
            log.info("API %s %s -> %s %s", method, path, response.status_code, error.code)
            raise error
        if response.status_code == 204 or not response.content:
            return {}
        try:
            data = response.json()
        except ValueError as exc:
            raise ApiError(_SERVER_ERROR, status=response.status_code, code="bad_json") from exc
        return data if isinstance(data, dict) else {"items": data}


def new_idempotency_key() -> str:
    """A fresh key for one balance-changing action (reuse it only to retry that same action)."""
    return f"ui-{uuid.uuid4().hex}"

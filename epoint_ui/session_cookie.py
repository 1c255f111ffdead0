"""The session cookie: an HttpOnly cookie that only the state server sets, reads and clears.

The browser's proof of being signed in is the session id (`session_store.py`) in the
cookie `__Host-epoint_session` (`HttpOnly; Secure; SameSite=Strict; Path=/`, no Domain):
script on the page cannot read it, no other site's request carries it, and no sibling
subdomain can plant one (the `__Host-` prefix). The browser sends it on the websocket
handshake to the state server, which reads it from the handshake's headers.

Sign-in happens over the websocket, where no cookie can be set, so the page trades a
one-time claim for the cookie over HTTP (`SessionState` hands the claim to the page):

    POST /session/claim  {"claim": "..."}  -> 204, Set-Cookie: the session id
    POST /session/end                      -> 204, the cookie cleared, its session forgotten

Both answer only a JSON POST from the web app's origins (`origin_guard.py`): another
site can neither sign a browser in to an account of its choosing nor sign it out. A
claim is 256 random bits, names one session, lives `CLAIM_TTL_S` seconds and works once.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from epoint_ui.origin_guard import origin_allowed
from epoint_ui.session_store import get_claims, get_store
from epoint_ui.settings import get_settings

COOKIE_NAME = "__Host-epoint_session"
CLAIM_PATH = "/session/claim"
END_PATH = "/session/end"
# Long enough for a slow phone network between the sign-in answer and the page's POST.
CLAIM_TTL_S = 30
# What `secrets.token_urlsafe(32)` makes: anything else in the cookie or a claim is refused.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def _token_or_empty(value: str) -> str:
    return value if _TOKEN.fullmatch(value) else ""


def session_id_from(cookie_header: str) -> str:
    """The session id in a request's Cookie header, or "" when it carries none (or junk)."""
    for pair in cookie_header.split(";"):
        name, _, value = pair.strip().partition("=")
        if name == COOKIE_NAME:
            return _token_or_empty(value.strip())
    return ""


async def issue_claim(session_id: str) -> str:
    """A fresh one-time claim that the page trades for a cookie holding `session_id`."""
    claim = secrets.token_urlsafe(32)
    await get_claims().put(claim, {"session_id": session_id}, CLAIM_TTL_S)
    return claim


async def redeem_claim(claim: str) -> str:
    """The session id a claim names, once: "" when unknown, expired or already used."""
    if not _token_or_empty(claim):
        return ""
    record = await get_claims().take(claim)
    return str(record.get("session_id", "")) if record else ""


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def _refusal(request: Request) -> JSONResponse | None:
    """Why this request may not touch the cookie, or None when it may."""
    if not origin_allowed(request.headers.get("origin"), get_settings().frontend_origins):
        return _error(403, "origin_refused", "This page may not sign anyone in or out.")
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        # A cross-site form cannot send JSON; a cross-site fetch that does needs a preflight.
        return _error(415, "json_required", "Send the request as application/json.")
    return None


def _cookie_response(session_id: str, max_age: int) -> Response:
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        COOKIE_NAME,
        session_id,
        max_age=max_age,
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
    )
    return response


async def _claim(request: Request) -> Response:
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    try:
        body: Any = await request.json()
    except ValueError:
        body = None
    claim = body.get("claim") if isinstance(body, dict) else None
    if not isinstance(claim, str):
        return _error(400, "claim_missing", 'Send {"claim": "..."}.')
    session_id = await redeem_claim(claim)
    if not session_id or await get_store().get(session_id) is None:
        return _error(400, "claim_invalid", "This sign-in has expired. Please sign in again.")
    return _cookie_response(session_id, get_settings().session_ttl_s)


async def _end(request: Request) -> Response:
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    session_id = session_id_from(request.headers.get("cookie", ""))
    if session_id:
        await get_store().delete(session_id)
    return _cookie_response("", 0)


def with_session_cookie_routes(app: ASGIApp) -> ASGIApp:
    """The state server's app with the cookie endpoints in front (`rx.App(api_transformer=)`)."""
    outer = Starlette(
        routes=[
            Route(CLAIM_PATH, _claim, methods=["POST"]),
            Route(END_PATH, _end, methods=["POST"]),
        ]
    )
    outer.mount("", app)
    return outer

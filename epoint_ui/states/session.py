"""The signed-in session: who is signed in in this browser, and their tokens (server-side).

Design (see README, "Sessions"): the browser keeps only an opaque random session id, in
an HttpOnly cookie the state server sets (`epoint_ui/session_cookie.py`); the tokens live
in the session store on the state server (memory, or Redis when `REFLEX_REDIS_URL` is
set). Every websocket connection brings the cookie on its handshake, so a reload or a new
tab stays signed in; tokens are refreshed shortly before they expire; sign-out forgets
the session, revokes the tokens at Cognito and clears the cookie.

States call the API through `states/api_call.py: call_api`, which gets its client here
(`api(state)`) and ends the session here (`end_session(state)`) when the API says 401.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import quote

import reflex as rx

from epoint_ui import auth, session_cookie
from epoint_ui.api import ApiClient, ApiError
from epoint_ui.session_store import get_store, new_session_id
from epoint_ui.settings import get_settings

log = logging.getLogger(__name__)

SESSION_ENDED = "Your session has ended. Please sign in again."
SIGNED_OUT = "You are signed out."
SIGN_IN_PATH = "/sign-in"


def sign_in_url(next_path: str = "") -> str:
    """The sign-in page, returning to `next_path` afterwards."""
    if not next_path or next_path.startswith(SIGN_IN_PATH) or not next_path.startswith("/"):
        return SIGN_IN_PATH
    return f"{SIGN_IN_PATH}?next={quote(next_path, safe='/')}"


def here(url: object) -> str:
    """The page a router URL is on, with its query (an invitation link's token survives the
    trip through sign-in)."""
    path, query = str(getattr(url, "path", "")), str(getattr(url, "query", ""))
    return f"{path}?{query}" if query else path


def safe_next(next_path: str, default: str = "/wallet") -> str:
    """Where to go after signing in: only paths on this site (never another origin)."""
    if next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path:
        return next_path
    return default


class SessionState(rx.State):
    """Who is signed in in this browser; the session id and the tokens never reach the page."""

    signed_in: bool = False
    email: str = ""
    # A message for the sign-in page (e.g. why the user was sent there).
    notice: str = ""
    signing_out: bool = False
    # Set for a moment when the page must call the state server over HTTP
    # (`components/session_cookie.py`): a one-time claim to trade for the session cookie
    # (after sign-in), or `cookie_end` to clear it (after sign-out).
    cookie_claim: str = ""
    cookie_end: bool = False
    # Server-side only (Reflex never sends `_` vars to the browser). The session this tab
    # signed in to, valid only on the websocket connection that signed in: any other
    # connection (a reload, a new tab, a reconnect, a stolen Reflex token) needs the cookie.
    _session_id: str = ""
    _session_sid: str = ""
    # Where to go once the page has done its cookie step.
    _after_cookie: str = ""

    def _current_session_id(self) -> str:
        """This connection's session id: the one it signed in to, or the handshake's cookie."""
        connection = self.router.session.session_id
        if self._session_id and connection and connection == self._session_sid:
            return self._session_id
        return session_cookie.session_id_from(self.router.headers.cookie)

    async def _tokens(self) -> auth.Tokens | None:
        """The session's tokens, refreshed when close to expiry; None when signed out."""
        session_id = self._current_session_id()
        if not session_id:
            return None
        store = get_store()
        record = await store.get(session_id)
        if record is None:
            return None
        tokens = auth.Tokens.from_dict(record)
        settings = get_settings()
        if tokens.expires_at - time.time() > settings.refresh_margin_s:
            return tokens
        try:
            tokens = await auth.refresh(tokens)
        except auth.AuthError as exc:
            if exc.code == "NotAuthorizedException" or tokens.expires_at <= time.time():
                log.info("session refresh refused (%s): session ended", exc.code)
                await store.delete(session_id)
                return None
            return tokens  # the service hiccuped; the current token still works a while
        await store.put(session_id, tokens.to_dict(), settings.session_ttl_s)
        return tokens

    async def _client(self) -> ApiClient:
        tokens = await self._tokens()
        if tokens is None:
            raise ApiError(SESSION_ENDED, status=401, code="signed_out")
        return ApiClient(tokens.access_token, tokens.user_id)

    async def _start(self, tokens: auth.Tokens, then: str) -> None:
        """Begins a session for freshly issued tokens; the page gets its cookie, then `then`."""
        store = get_store()
        # One session per browser, and never one the browser brought: a new id every time.
        previous = self._current_session_id()
        if previous:
            await store.delete(previous)
        session_id = new_session_id()
        await store.put(session_id, tokens.to_dict(), get_settings().session_ttl_s)
        self._session_id = session_id
        self._session_sid = self.router.session.session_id
        self.signed_in = True
        self.email = tokens.email
        self.notice = ""
        self.cookie_claim = await session_cookie.issue_claim(session_id)
        self._after_cookie = then

    async def _forget(self) -> None:
        session_id = self._current_session_id()
        if session_id:
            await get_store().delete(session_id)
        self._session_id = self._session_sid = ""
        self.signed_in = False
        self.email = ""

    @rx.event
    def cookie_step_done(self, ok: bool):
        """The page has set (or cleared) the cookie: on to the page it was going to."""
        if not ok:
            # This tab stays signed in on its connection; a new tab or a reload will not be.
            log.warning("the page could not update the session cookie")
        self.cookie_claim, self.cookie_end = "", False
        then, self._after_cookie = self._after_cookie, ""
        return rx.redirect(then) if then else None

    @rx.event
    async def require_login(self):
        """Page guard: a signed-out visitor goes to sign-in, and comes back afterwards."""
        tokens = await self._tokens()
        if tokens is not None:
            self.signed_in = True
            self.email = tokens.email
            return None
        had_session = bool(self._current_session_id())
        await self._forget()
        self.notice = SESSION_ENDED if had_session else "Please sign in to continue."
        return rx.redirect(sign_in_url(here(self.router.url)))

    @rx.event
    async def check_signed_in(self):
        """On public pages: know whether to offer 'Wallet' or 'Sign in' (no redirect)."""
        tokens = await self._tokens()
        self.signed_in = tokens is not None
        self.email = tokens.email if tokens else ""

    @rx.event
    async def redirect_if_signed_in(self):
        """On sign-in and sign-up pages: a signed-in visitor goes straight to the wallet."""
        if await self._tokens() is not None:
            self.signed_in = True
            return rx.redirect("/wallet")
        return None

    @rx.event
    async def sign_out(self):
        """Signs out: revokes the tokens at Cognito, forgets the session, clears the cookie."""
        self.signing_out = True
        yield
        try:
            tokens = await self._tokens()
            if tokens is not None:
                await auth.sign_out(tokens)
            await self._forget()
        finally:
            self.signing_out = False
        self.notice = SIGNED_OUT
        self.cookie_end = True
        self._after_cookie = "/"


async def api(state: rx.State) -> ApiClient:
    """The API client of the user signed in to `state`'s browser; raises ApiError(401) if none."""
    session = await state.get_state(SessionState)
    return await session._client()


async def start_session(state: rx.State, tokens: auth.Tokens, then: str) -> None:
    """Signs the browser of `state` in with `tokens`, then goes to the page `then`.

    The page on which this runs must render `pages/session_cookie.py: session_cookie_step()`.
    """
    session = await state.get_state(SessionState)
    await session._start(tokens, then)


async def end_session(state: rx.State) -> rx.event.EventSpec:
    """Forgets the session the API refused (revoked or expired); returns the redirect to sign in.

    The sign-in page says "Your session has ended" and comes back to this page afterwards.
    """
    session = await state.get_state(SessionState)
    await session._forget()
    session.notice = SESSION_ENDED
    return rx.redirect(sign_in_url(here(session.router.url)))

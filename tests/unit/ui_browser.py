"""One browser's UI states, without a browser: signed in, a business open, a stand-in API.

The states are the app's own; what stands in is the API (`Answers`, answering from a
script and recording each request) and the tab (`Browser.open` hands a state the other
states of the same tab, as Reflex's `get_state` would). Event handlers are driven with
`run`, which returns what they sent to the page.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
import reflex as rx
from reflex import constants

from epoint_ui import limits, session_store
from epoint_ui.api import ApiError
from epoint_ui.limits import MemoryCounters
from epoint_ui.session_cookie import COOKIE_NAME
from epoint_ui.session_store import MemorySessionStore
from epoint_ui.settings import Settings
from epoint_ui.states import session as session_state_module
from epoint_ui.states.merchant import MerchantState
from epoint_ui.states.reader import ReaderState
from epoint_ui.states.session import SessionState

SESSION_ID = "s" * 43  # the shape of a real one (`session_store.new_session_id`)
T = TypeVar("T")
_REDIRECT = rx.redirect("/").handler.fn.__qualname__


class Answers:
    """Stands in for the API: answers each request from a script and records it."""

    def __init__(self) -> None:
        self.script: list[dict[str, Any] | ApiError] = []
        self.requests: list[tuple[str, str]] = []
        self.keys: list[str | None] = []

    def will_answer(self, *script: dict[str, Any] | ApiError) -> None:
        """The answers to the next requests, in order."""
        self.script.extend(script)

    def _answer(self, method: str, path: str) -> dict[str, Any]:
        self.requests.append((method, path))
        answer = self.script.pop(0)
        if isinstance(answer, ApiError):
            raise answer
        return answer

    async def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._answer("GET", path)

    async def post(
        self, path: str, body: dict[str, Any] | None = None, *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        self.keys.append(idempotency_key)
        return self._answer("POST", path)

    async def patch(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._answer("PATCH", path)

    async def delete(self, path: str) -> dict[str, Any]:
        return self._answer("DELETE", path)


def wait(coroutine: Coroutine[Any, Any, T]) -> T:
    """Runs a coroutine to the end on a loop of its own.

    In its own thread: a suite earlier in the session (Playwright's sync API) may keep an
    event loop running in this one, and asyncio.run refuses to nest. The thread runs in a
    copy of this one's context, where Reflex's registration context is set (states made
    there need it).
    """
    context = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(context.run, asyncio.run, coroutine).result()


def run(handler: AsyncIterator[Any]) -> list[Any]:
    """Drives an event handler to the end; returns what it sent to the page."""

    async def drain() -> list[Any]:
        return [update async for update in handler]

    return wait(drain())


def redirect_target(update: Any) -> str | None:
    """Where an update sends the browser, if it is a redirect."""
    if not isinstance(update, rx.event.EventSpec) or update.handler.fn.__qualname__ != _REDIRECT:
        return None
    return dict((name._js_expr, value._var_value) for name, value in update.args)["path"]


class Browser:
    """One tab: signed in (a live server-side session), working on business m_1."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, path: str = "/") -> None:
        self.api = Answers()
        self.store = MemorySessionStore()
        monkeypatch.setattr(session_store, "_store", self.store)
        # Every tab starts with no attempts counted (the limits live beside the sessions).
        monkeypatch.setattr(limits, "_counters", MemoryCounters())
        wait(self.store.put(SESSION_ID, {"access_token": "t"}, 60))
        self.session = SessionState(_reflex_internal_init=True)
        self.session.signed_in = True
        # The page the tab is on and its websocket, whose handshake brought the session
        # cookie (Reflex fills this from the browser's router data).
        self.session._update_router_vars(
            {
                constants.RouteVar.PATH: path,
                constants.RouteVar.ORIGIN: path,
                constants.RouteVar.SESSION_ID: "socket-1",
                constants.RouteVar.HEADERS: {"cookie": f"{COOKIE_NAME}={SESSION_ID}"},
            },
            {},
        )
        self.merchant = MerchantState(_reflex_internal_init=True)
        self.merchant.merchant_id = "m_1"
        self.merchant.role = "owner"
        self.merchant.business = {
            "merchant_id": "m_1",
            "currency": "EUR",
            "earning_rule": {"points_per_unit": 1, "min_purchase_cents": 0},
        }
        self.reader = ReaderState(_reflex_internal_init=True)
        self._states: dict[type, rx.State] = {
            SessionState: self.session,
            MerchantState: self.merchant,
            ReaderState: self.reader,
        }
        self._monkeypatch = monkeypatch

        async def client(_session: SessionState) -> Answers:
            return self.api

        monkeypatch.setattr(SessionState, "_client", client)

    def open(self, state_cls: type[rx.State]) -> Any:
        """A fresh `state_cls` in this tab."""
        state = state_cls(_reflex_internal_init=True)
        self._states[state_cls] = state
        states = self._states

        async def get_state(_self: rx.State, wanted: type[rx.State]) -> rx.State:
            return states[wanted]

        self._monkeypatch.setattr(state_cls, "get_state", get_state)
        return state

    def session_alive(self) -> bool:
        """Whether the server still holds this tab's session."""
        return wait(self.store.get(SESSION_ID)) is not None


def session_starting_tab(monkeypatch: pytest.MonkeyPatch, path: str) -> Browser:
    """A tab on a page where a session starts (sign-in, sign-up): a fresh claims store, and
    the settings stood in for the real ones (which would start a local cloud here)."""
    fixed = Settings("https://api.invalid", "pool", "client", "eu-west-1")
    monkeypatch.setattr(session_state_module, "get_settings", lambda: fixed)
    monkeypatch.setattr(session_store, "_claims", MemorySessionStore())
    return Browser(monkeypatch, path=path)

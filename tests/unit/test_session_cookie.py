"""The HttpOnly session cookie and the Origin check, attacked without a browser.

The state server's own HTTP routes (`epoint_ui/session_cookie.py`) and its websocket
guard (`epoint_ui/origin_guard.py`) run in Starlette's test client around a stand-in for
Reflex; `SessionState` is driven directly, as in `ui_browser.py`. The browser tests
(tests/e2e/test_sessions.py) show the same design end to end.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import pytest
from reflex import constants
from starlette.exceptions import StarletteDeprecationWarning
from starlette.responses import PlainTextResponse
from starlette.websockets import WebSocketDisconnect

from epoint_ui import auth, origin_guard, session_cookie, session_store
from epoint_ui.origin_guard import OriginGuard
from epoint_ui.session_cookie import COOKIE_NAME, issue_claim, with_session_cookie_routes
from epoint_ui.session_store import MemorySessionStore, new_session_id
from epoint_ui.settings import ANY_ORIGIN, Settings
from epoint_ui.states import session as session_state_module
from epoint_ui.states.session import SessionState
from tests.unit.ui_browser import redirect_target, run, wait

with warnings.catch_warnings():
    # Starlette would rather drive its test client with `httpx2`; the installed httpx works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

APP = "https://app.example.com"
ATTACKER = "https://attacker.example"
# A page of the web app asks; the body is JSON.
FROM_APP = {"origin": APP, "content-type": "application/json"}


class Clock:
    """The stores' time, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def stores(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> tuple[MemorySessionStore, ...]:
    """Fresh session and claim stores for this test."""
    sessions, claims = MemorySessionStore(clock), MemorySessionStore(clock)
    monkeypatch.setattr(session_store, "_store", sessions)
    monkeypatch.setattr(session_store, "_claims", claims)
    return sessions, claims


def settings(origins: tuple[str, ...] = (APP,)) -> Settings:
    return Settings("https://api.invalid", "pool", "client", "eu-west-1", frontend_origins=origins)


@pytest.fixture(autouse=True)
def origins(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The state server's settings, with the web app's origins in the one element of the list.

    Stood in for everywhere they are read: the real ones would start a local cloud here.
    """
    current = [(APP,)]
    for module in (session_cookie, origin_guard, session_state_module):
        monkeypatch.setattr(module, "get_settings", lambda: settings(current[0]))
    return current


async def _reflex(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Stands in for Reflex: accepts any websocket, answers any HTTP request."""
    if scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": 1000})
    elif scope["type"] == "http":
        await PlainTextResponse("reflex")(scope, receive, send)


@pytest.fixture
def server(stores: Any, origins: Any) -> TestClient:
    """The state server's app as `epoint_ui.py` builds it (routes, then the guard outside)."""
    return TestClient(OriginGuard(with_session_cookie_routes(_reflex)), base_url="https://state")


def new_session(stores: tuple[MemorySessionStore, ...]) -> str:
    """A live session in the store, as sign-in leaves it."""
    session_id = new_session_id()
    wait(stores[0].put(session_id, {"access_token": "t"}, 3600))
    return session_id


def cookie_set(answer: Any) -> dict[str, str]:
    """The Set-Cookie of an answer: its value and its attributes (lower-cased names)."""
    (header,) = answer.headers.get_list("set-cookie")
    name_value, *attributes = [part.strip() for part in header.split(";")]
    name, _, value = name_value.partition("=")
    assert name == COOKIE_NAME
    parsed = {"value": value.strip('"')}
    for attribute in attributes:
        key, _, val = attribute.partition("=")
        parsed[key.lower()] = val
    return parsed


# --- trading a claim for the cookie ----------------------------------------------------------


def test_a_claim_sets_an_httponly_secure_strict_host_only_cookie(server, stores):
    session_id = new_session(stores)
    claim = wait(issue_claim(session_id))
    answer = server.post("/session/claim", json={"claim": claim}, headers=FROM_APP)
    assert answer.status_code == 204
    cookie = cookie_set(answer)
    assert cookie["value"] == session_id
    assert {"httponly", "secure"} <= cookie.keys()
    assert cookie["samesite"].lower() == "strict"
    assert cookie["path"] == "/"
    assert "domain" not in cookie  # host-only; the __Host- prefix makes browsers insist
    assert cookie["max-age"] == str(settings().session_ttl_s)
    assert answer.headers["cache-control"] == "no-store"


def test_a_claim_works_once_so_a_stolen_used_one_is_worthless(server, stores):
    claim = wait(issue_claim(new_session(stores)))
    assert server.post("/session/claim", json={"claim": claim}, headers=FROM_APP).status_code == 204
    replay = server.post("/session/claim", json={"claim": claim}, headers=FROM_APP)
    assert replay.status_code == 400
    assert replay.json()["error"]["code"] == "claim_invalid"
    assert "set-cookie" not in replay.headers


def test_a_claim_expires_after_seconds(server, stores, clock):
    claim = wait(issue_claim(new_session(stores)))
    clock.now += session_cookie.CLAIM_TTL_S + 1
    late = server.post("/session/claim", json={"claim": claim}, headers=FROM_APP)
    assert late.status_code == 400
    assert late.json()["error"]["code"] == "claim_invalid"


def test_a_claim_for_a_session_that_ended_meanwhile_sets_nothing(server, stores):
    session_id = new_session(stores)
    claim = wait(issue_claim(session_id))
    wait(stores[0].delete(session_id))  # signed out in another tab in between
    answer = server.post("/session/claim", json={"claim": claim}, headers=FROM_APP)
    assert answer.status_code == 400
    assert "set-cookie" not in answer.headers


@pytest.mark.parametrize(
    "body", [{}, {"claim": 1}, {"claim": "x" * 43}, {"claim": "short"}, [1], "claim"]
)
def test_made_up_or_malformed_claims_get_a_clear_400(server, stores, body):
    answer = server.post("/session/claim", json=body, headers=FROM_APP)
    assert answer.status_code == 400
    assert set(answer.json()["error"]) == {"code", "message"}
    assert "set-cookie" not in answer.headers


@pytest.mark.parametrize("origin", [ATTACKER, "null", None, f"{APP}.attacker.example"])
def test_another_site_cannot_sign_a_browser_in(server, stores, origin):
    """Login CSRF: a page elsewhere posts its own (valid) claim; the cookie must not be set."""
    claim = wait(issue_claim(new_session(stores)))
    headers = {"content-type": "application/json"} | ({"origin": origin} if origin else {})
    answer = server.post("/session/claim", json={"claim": claim}, headers=headers)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "origin_refused"
    assert "set-cookie" not in answer.headers
    # Refused without being spent: the real page can still use it.
    assert server.post("/session/claim", json={"claim": claim}, headers=FROM_APP).status_code == 204


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain"])
def test_a_cross_site_form_cannot_post_a_claim(server, stores, content_type):
    """An HTML form can send only these types (and no preflight): JSON is required."""
    claim = wait(issue_claim(new_session(stores)))
    answer = server.post(
        "/session/claim",
        content=f'{{"claim": "{claim}"}}',
        headers={"origin": APP, "content-type": content_type},
    )
    assert answer.status_code == 415
    assert "set-cookie" not in answer.headers


def test_only_post_touches_the_cookie(server, stores):
    """A link or an image (GET) on another page does nothing: it falls through to Reflex."""
    session_id = new_session(stores)
    claim = wait(issue_claim(session_id))
    cookie = {"cookie": f"{COOKIE_NAME}={session_id}"}
    for path in (f"/session/claim?claim={claim}", "/session/end"):
        answer = server.get(path, headers={"origin": APP} | cookie)
        assert answer.text == "reflex" and "set-cookie" not in answer.headers
    assert wait(stores[0].get(session_id)) is not None
    assert server.post("/session/claim", json={"claim": claim}, headers=FROM_APP).status_code == 204


# --- clearing it -----------------------------------------------------------------------------


def test_ending_clears_the_cookie_and_forgets_its_session(server, stores):
    session_id = new_session(stores)
    answer = server.post(
        "/session/end", json={}, headers=FROM_APP | {"cookie": f"{COOKIE_NAME}={session_id}"}
    )
    assert answer.status_code == 204
    cleared = cookie_set(answer)
    assert cleared["value"] == "" and cleared["max-age"] == "0"
    assert wait(stores[0].get(session_id)) is None


def test_another_site_cannot_sign_a_browser_out(server, stores):
    session_id = new_session(stores)
    answer = server.post(
        "/session/end",
        json={},
        headers={
            "origin": ATTACKER,
            "content-type": "application/json",
            "cookie": f"{COOKIE_NAME}={session_id}",
        },
    )
    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers
    assert wait(stores[0].get(session_id)) is not None


# --- the websocket's Origin ------------------------------------------------------------------


def _handshake(server: TestClient, headers: dict[str, str]) -> bool:
    """Whether the state server accepts a websocket handshake with these headers."""
    try:
        with server.websocket_connect("/_event/?EIO=4&transport=websocket", headers=headers):
            return True
    except WebSocketDisconnect:
        return False


def test_the_websocket_opens_only_for_the_web_app(server):
    assert _handshake(server, {"origin": APP})
    assert not _handshake(server, {"origin": ATTACKER})
    assert not _handshake(server, {})  # no Origin: not a browser page of ours
    assert not _handshake(server, {"origin": "null"})  # a sandboxed frame or a file


def test_polling_the_event_endpoint_is_refused_the_same_way(server):
    refused = server.get("/_event/?EIO=4&transport=polling", headers={"origin": ATTACKER})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "origin_refused"
    assert server.get("/_event/?EIO=4&transport=polling").status_code == 403
    assert server.get("/_event/?EIO=4&transport=polling", headers={"origin": APP}).text == "reflex"


def test_other_routes_are_not_the_guards_business(server):
    """The load balancer's health check sends no Origin."""
    assert server.get("/_health").text == "reflex"


def test_in_dev_any_page_may_open_it_but_only_a_page(server, origins):
    origins[0] = ANY_ORIGIN  # `reflex run` without an allow-list
    assert _handshake(server, {"origin": "http://localhost:3000"})
    assert not _handshake(server, {})


# --- the session in the tab's state ----------------------------------------------------------


def tokens() -> auth.Tokens:
    return auth.Tokens("id", "access", "refresh", int(time.time()) + 3600, "u_1", "ann@example.com")


def tab(sid: str, cookie: str = "") -> SessionState:
    """A tab's SessionState on websocket connection `sid`, whose handshake brought `cookie`."""
    state = SessionState(_reflex_internal_init=True)
    connect(state, sid, cookie)
    return state


def connect(state: SessionState, sid: str, cookie: str = "") -> None:
    """The tab's websocket (re)connects as `sid`; its handshake brings `cookie`, if any."""
    headers = {"cookie": f"{COOKIE_NAME}={cookie}"} if cookie else {}
    state._update_router_vars(
        {constants.RouteVar.SESSION_ID: sid, constants.RouteVar.HEADERS: headers},
        state.router_data,
    )


def test_sign_in_hands_the_page_a_claim_for_the_cookie_then_goes_on(stores):
    state = tab("socket-1")
    wait(state._start(tokens(), then="/history"))
    assert state.signed_in and state.cookie_claim
    session_id = wait(session_cookie.redeem_claim(state.cookie_claim))
    assert session_id and wait(stores[0].get(session_id)) is not None
    # The session id itself is in no var the page receives.
    assert session_id not in str(state.dict())
    update = state.cookie_step_done(True)
    assert redirect_target(update) == "/history"
    assert state.cookie_claim == ""


def test_the_session_needs_the_cookie_on_any_other_connection(stores):
    """A stolen Reflex token (JavaScript can read it) opens the tab's state elsewhere: no session."""
    state = tab("socket-1")
    wait(state._start(tokens(), then="/wallet"))
    session_id = state._session_id
    assert wait(state._tokens()) is not None  # the connection that signed in

    connect(state, "socket-2")  # same tab state, another connection, no cookie
    assert wait(state._tokens()) is None

    connect(state, "socket-3", cookie=session_id)  # a reload: the handshake brings the cookie
    assert wait(state._tokens()) is not None


def test_signing_in_never_keeps_a_session_the_browser_brought(stores):
    """Session fixation: whatever id a browser arrives with, sign-in mints a new one."""
    planted = new_session(stores)
    state = tab("socket-1", cookie=planted)
    wait(state._start(tokens(), then="/wallet"))
    assert state._session_id != planted
    assert wait(stores[0].get(planted)) is None


def test_junk_in_the_cookie_is_no_session(stores):
    assert session_cookie.session_id_from(f"{COOKIE_NAME}=claim:abc") == ""
    assert session_cookie.session_id_from(f"other=1; {COOKIE_NAME}={'a' * 43}") == "a" * 43
    assert session_cookie.session_id_from(f"epoint_session={'a' * 43}") == ""  # the old name
    assert wait(tab("socket-1", cookie="not-a-session")._tokens()) is None


def test_sign_out_forgets_the_session_then_has_the_page_clear_the_cookie(stores, monkeypatch):
    async def revoke(_tokens: auth.Tokens) -> None:
        return None

    monkeypatch.setattr(auth, "sign_out", revoke)
    state = tab("socket-1")
    wait(state._start(tokens(), then="/wallet"))
    session_id = state._session_id
    state.cookie_step_done(True)
    run(state.sign_out())
    assert wait(stores[0].get(session_id)) is None
    assert state.cookie_end and not state.signed_in
    assert redirect_target(state.cookie_step_done(True)) == "/"
    assert not state.cookie_end
    # Another tab that still holds the cookie is signed out too.
    assert wait(tab("socket-9", cookie=session_id)._tokens()) is None

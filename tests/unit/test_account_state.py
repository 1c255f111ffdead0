"""Profile's account actions without a browser: download my data, delete my account."""

from __future__ import annotations

import base64
import csv
import io
import json
from types import SimpleNamespace
from typing import Any

import pytest

from epoint_ui import auth, my_data
from epoint_ui.states import account, session
from epoint_ui.states.account import AccountState
from epoint_ui.states.session import ACCOUNT_DELETED, WRONG_PASSWORD
from tests.unit.ui_browser import SESSION_ID, Browser, redirect_target, run, wait

PROFILE = {"user_id": "u_1", "email": "carl@example.com", "display_name": "Carl", "created_at": ""}


def _entry(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "tx_id": f"t_{n:03d}",
        "merchant_id": "m_1",
        "merchant_name": "Café Rosa",
        "kind": "earn",
        "points": n,
        "balance_after": n,
        "amount_cents": n * 100,
        "created_at": "2026-12-01T10:00:00Z",
        **fields,
    }


def _page(items: list[dict[str, Any]], cursor: str | None) -> dict[str, Any]:
    return {
        "profile": PROFILE,
        "memberships": [{"merchant_id": "m_1", "balance": 3}],
        "roles": [],
        "items": items,
        "next_cursor": cursor,
    }


def _downloaded(updates: list[Any]) -> tuple[str, bytes]:
    (spec,) = [u for u in updates if u is not None]
    args = {name._js_expr: value._var_value for name, value in spec.args}
    header, _, payload = args["url"].partition(",")
    assert header.endswith(";base64")
    return args["filename"], base64.b64decode(payload)


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Browser:
    return Browser(monkeypatch, path="/profile")


def test_download_reads_every_page_into_one_json_file(browser: Browser) -> None:
    state = browser.open(AccountState)
    browser.api.will_answer(_page([_entry(3), _entry(2)], "c1"), _page([_entry(1)], None))

    filename, data = _downloaded(run(state.download("json")))

    assert filename.startswith("epoint-data-") and filename.endswith(".json")
    document = json.loads(data)
    assert document["profile"] == PROFILE
    assert [e["tx_id"] for e in document["transactions"]] == ["t_003", "t_002", "t_001"]
    assert browser.api.requests == [("GET", "/me/export"), ("GET", "/me/export")]
    assert state.downloading == ""


def test_the_csv_is_the_ledger_and_keeps_formulas_as_text(browser: Browser) -> None:
    state = browser.open(AccountState)
    sly = _entry(2, merchant_name='=HYPERLINK("http://evil","x")', points=-2)
    browser.api.will_answer(_page([sly, _entry(1)], None))

    filename, data = _downloaded(run(state.download("csv")))

    assert filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert [r["tx_id"] for r in rows] == ["t_001", "t_002"]  # oldest first
    assert rows[1]["merchant_name"].startswith("'=HYPERLINK")
    assert rows[1]["points"] == "-2"  # numbers stay numbers
    assert list(rows[0]) == list(my_data.CSV_COLUMNS)


def _fresh_tokens(user_id: str = "u_1") -> auth.Tokens:
    return auth.Tokens("id", "fresh-access", "refresh", 0, user_id, "carl@example.com")


def test_deleting_signs_in_again_calls_until_done_and_ends_the_session(
    browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = browser.open(AccountState)
    tokens_used: list[str] = []

    async def reauthenticated(_state: Any, password: str) -> auth.Tokens:
        assert password == "Corr3ct-Horse"
        return _fresh_tokens()

    def client(token: str) -> Any:
        tokens_used.append(token)
        return browser.api

    monkeypatch.setattr(account, "reauthenticate", reauthenticated)
    monkeypatch.setattr(account, "ApiClient", client)
    browser.api.will_answer({"status": "in_progress"}, {"status": "deleted"})

    updates = run(state.delete_account({"password": "Corr3ct-Horse"}))

    assert tokens_used == ["fresh-access"]  # the re-authenticated token, not the session's
    assert browser.api.requests == [("DELETE", "/me"), ("DELETE", "/me")]
    assert browser.session.notice == ACCOUNT_DELETED
    assert not browser.session.signed_in and not browser.session_alive()
    # As after signing out: the page clears the session cookie, then goes to the front page.
    assert [redirect_target(u) for u in updates if redirect_target(u)] == []
    assert browser.session.cookie_end and browser.session._after_cookie == "/"


def test_a_wrong_password_deletes_nothing(
    browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = browser.open(AccountState)

    async def refused(_state: Any, password: str) -> auth.Tokens:
        raise auth.AuthError(WRONG_PASSWORD, "NotAuthorizedException")

    monkeypatch.setattr(account, "reauthenticate", refused)
    run(state.delete_account({"password": "guess"}))

    assert state.delete_error == WRONG_PASSWORD
    assert browser.api.requests == []
    assert browser.session.signed_in and browser.session_alive()


def test_reauthentication_is_the_sessions_own_user(
    browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = _fresh_tokens().to_dict() | {"expires_at": 2**40}
    wait(browser.store.put(SESSION_ID, stored, 60))
    signed_in_as: list[str] = []

    async def sign_in(email: str, password: str) -> auth.Tokens:
        signed_in_as.append(email)
        return _fresh_tokens(user_id="someone-else")

    monkeypatch.setattr(session.auth, "sign_in", sign_in)
    # The stored tokens are fresh: no refresh, and no settings (which would start a local cloud).
    monkeypatch.setattr(session, "get_settings", lambda: SimpleNamespace(refresh_margin_s=300))
    state = browser.open(AccountState)
    with pytest.raises(auth.AuthError) as refused:
        wait(session.reauthenticate(state, "Corr3ct-Horse"))
    assert refused.value.message == WRONG_PASSWORD
    assert signed_in_as == ["carl@example.com"]  # the session's email, never one typed in

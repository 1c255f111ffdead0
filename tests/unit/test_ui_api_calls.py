"""Every page fails the same way (epoint_ui/states/api_call.py: call_api).

A dead session (the API answers 401) sends the user to sign in with "Your session has
ended" and back to the page afterwards, from every state, with nothing said on the page
itself; any other failure puts the API's sentence in the page's error field and keeps
the session; the working flag is up while the call runs and down after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from epoint_ui.api import ApiError
from epoint_ui.states.account import AccountState
from epoint_ui.states.businesses import BusinessesState
from epoint_ui.states.claim import ClaimState
from epoint_ui.states.history import HistoryState
from epoint_ui.states.invitations import ANSWER_PROBLEMS, InvitationsState
from epoint_ui.states.mail_settings import MailSettingsState
from epoint_ui.states.merchant import MerchantState
from epoint_ui.states.merchant_exports import ExportsState
from epoint_ui.states.merchant_figures import FiguresState
from epoint_ui.states.merchant_ledger import LedgerState
from epoint_ui.states.merchant_members import MembersState
from epoint_ui.states.merchant_register import MerchantRegisterState
from epoint_ui.states.merchant_rewards import MerchantRewardsState
from epoint_ui.states.merchant_settings import MerchantSettingsState
from epoint_ui.states.merchant_staff import STAFF_PROBLEMS, MerchantStaffState
from epoint_ui.states.profile import ProfileState
from epoint_ui.states.receipt_codes import ReceiptCodeState
from epoint_ui.states.session import SESSION_ENDED
from epoint_ui.states.wallet import WalletState
from tests.unit.ui_browser import Browser, redirect_target, run

DEAD_SESSION = ApiError("Your session has ended. Please sign in again.", status=401)
SERVER_ERROR = ApiError("Something went wrong on our side.", status=500, code="internal")


@dataclass
class Action:
    """One thing a user does on a page that calls the API."""

    page: str
    state: type
    act: Callable[[Any], Any]
    error: str = "error"
    working: str = ""
    prepare: Callable[[Any], None] = lambda state: None


def _reward_form(state: MerchantRewardsState) -> None:
    state.form_name, state.form_cost = "Free coffee", "50"


def _settings_form(state: MerchantSettingsState) -> None:
    state.name, state.points_per_unit, state.min_purchase = "Café Rosa", "1", "0"
    state.tiers = [{"name": "Bronze", "threshold": "0", "multiplier_pct": "100"}]


def _confirming(state: LedgerState) -> None:
    state.confirm_tx, state.reverse_key = "t_1", "key-1"


def _staff_email(state: MerchantStaffState) -> None:
    state.email = "sam@example.com"


def _leaving(state: MerchantState) -> None:
    state.confirm_leave = "m_2"
    state.businesses = [{"merchant_id": "m_2", "name": "Bakery Two", "role": "staff"}]


def _more_businesses(state: MerchantState) -> None:
    state.businesses_cursor = "c_1"


def _adjusting(state: MembersState) -> None:
    state.items = [{"customer_id": "u_2", "name": "Carl", "balance": 50}]
    state.adjusting, state.adjust_key, state.points = "u_2", "key-1", "10"


def _exporting(state: ExportsState) -> None:
    state.first_day, state.last_day = "2026-11-01", "2026-11-30"


def _claiming(state: ClaimState) -> None:
    state.code, state.key = "7K3M-Q9XA-2HPD", "key-1"


ACTIONS = {
    "wallet": Action("/wallet", WalletState, lambda s: s.load(), working="loading"),
    "history": Action("/history", HistoryState, lambda s: s.load()),
    "history dispute": Action(
        "/history", HistoryState, lambda s: s.dispute("t_1", "m_1"), working="disputing"
    ),
    "directory": Action("/businesses", BusinessesState, lambda s: s.load(), working="loading"),
    "profile": Action("/profile", ProfileState, lambda s: s.load()),
    "profile save": Action(
        "/profile", ProfileState, lambda s: s.save({"display_name": "Ann"}), working="saving"
    ),
    "profile roles": Action("/profile", AccountState, lambda s: s.load(), error="delete_error"),
    "email settings": Action("/profile", MailSettingsState, lambda s: s.load()),
    "receipts switch": Action(
        "/profile", MailSettingsState, lambda s: s.set_receipts(False), working="saving"
    ),
    "download my data": Action(
        "/profile",
        AccountState,
        lambda s: s.download("json"),
        error="download_error",
        working="downloading",
    ),
    "merchant pages": Action("/merchant/scan", MerchantState, lambda s: s.load_business()),
    "switch business": Action("/merchant", MerchantState, lambda s: s.switch_to("m_2")),
    "my businesses": Action("/merchant", MerchantState, lambda s: s.load_businesses()),
    "more businesses": Action(
        "/merchant",
        MerchantState,
        lambda s: s.load_more_businesses(),
        working="loading_more",
        prepare=_more_businesses,
    ),
    "leave": Action(
        "/merchant", MerchantState, lambda s: s.leave(), working="leaving", prepare=_leaving
    ),
    "invitations": Action("/merchant", InvitationsState, lambda s: s.load()),
    "more invitations": Action("/merchant", InvitationsState, lambda s: s.load_more()),
    "accept": Action(
        "/merchant", InvitationsState, lambda s: s.accept("m_2.token"), working="answering"
    ),
    "decline": Action(
        "/merchant", InvitationsState, lambda s: s.decline("m_2.token"), working="answering"
    ),
    "register": Action(
        "/merchant",
        MerchantRegisterState,
        lambda s: s.register({"name": "Café Rosa", "points_per_unit": "1", "min_purchase": "0"}),
        working="saving",
    ),
    "figures": Action("/merchant/figures", FiguresState, lambda s: s.load(), working="loading"),
    "ledger": Action("/merchant/ledger", LedgerState, lambda s: s.load(), working="loading"),
    "reverse": Action(
        "/merchant/ledger",
        LedgerState,
        lambda s: s.reverse(),
        error="reverse_error",
        working="reversing",
        prepare=_confirming,
    ),
    "settings save": Action(
        "/merchant/settings",
        MerchantSettingsState,
        lambda s: s.save(),
        working="saving",
        prepare=_settings_form,
    ),
    "rewards": Action("/merchant/rewards", MerchantRewardsState, lambda s: s.load()),
    "reward save": Action(
        "/merchant/rewards",
        MerchantRewardsState,
        lambda s: s.save(),
        error="form_error",
        working="saving",
        prepare=_reward_form,
    ),
    "reward retire": Action(
        "/merchant/rewards", MerchantRewardsState, lambda s: s.retire("r_1"), working="busy_id"
    ),
    "members": Action("/merchant/members", MembersState, lambda s: s.load(), working="loading"),
    "adjust": Action(
        "/merchant/members",
        MembersState,
        lambda s: s.adjust(),
        error="adjust_error",
        working="saving",
        prepare=_adjusting,
    ),
    "export": Action(
        "/merchant/exports",
        ExportsState,
        lambda s: s.download("ledger"),
        working="downloading",
        prepare=_exporting,
    ),
    "receipt code": Action(
        "/merchant/scan",
        ReceiptCodeState,
        lambda s: s.issue({"amount": "12.50"}),
        working="issuing",
    ),
    "receipt codes": Action(
        "/merchant/receipts",
        ReceiptCodeState,
        lambda s: s.load(),
        error="list_error",
        working="loading",
    ),
    "receipt code void": Action(
        "/merchant/receipts",
        ReceiptCodeState,
        lambda s: s.void("c_1"),
        error="list_error",
        working="voiding",
    ),
    "claim": Action(
        "/claim",
        ClaimState,
        lambda s: s.claim({"code": "7K3M-Q9XA-2HPD"}),
        working="claiming",
        prepare=_claiming,
    ),
    "staff": Action("/merchant/staff", MerchantStaffState, lambda s: s.load()),
    "staff add": Action(
        "/merchant/staff",
        MerchantStaffState,
        lambda s: s.add(),
        working="adding",
        prepare=_staff_email,
    ),
    "staff remove": Action(
        "/merchant/staff", MerchantStaffState, lambda s: s.remove("u_2"), working="removing"
    ),
    "invitation cancel": Action(
        "/merchant/staff", MerchantStaffState, lambda s: s.cancel("i_2"), working="removing"
    ),
}


def _open(monkeypatch: pytest.MonkeyPatch, action: Action) -> tuple[Browser, Any]:
    browser = Browser(monkeypatch, path=action.page)
    state = browser.open(action.state)
    action.prepare(state)
    return browser, state


@pytest.mark.parametrize("name", ACTIONS)
def test_a_dead_session_sends_the_user_to_sign_in_and_back(monkeypatch, name):
    action = ACTIONS[name]
    browser, state = _open(monkeypatch, action)
    browser.api.will_answer(DEAD_SESSION)

    updates = run(action.act(state))

    redirects = [target for target in map(redirect_target, updates) if target]
    assert redirects == [f"/sign-in?next={action.page}"]  # once, even after two calls
    assert browser.session.notice == SESSION_ENDED
    assert not browser.session.signed_in and not browser.session_alive()
    assert len(browser.api.requests) == 1  # nothing more is tried without a session
    assert getattr(state, action.error) == ""  # the sign-in page says why, not this one
    if action.working:
        assert not getattr(state, action.working)


@pytest.mark.parametrize("name", ACTIONS)
def test_any_other_failure_is_a_sentence_on_the_page(monkeypatch, name):
    action = ACTIONS[name]
    browser, state = _open(monkeypatch, action)
    browser.api.will_answer(SERVER_ERROR, SERVER_ERROR)

    updates = run(action.act(state))

    assert [target for target in map(redirect_target, updates) if target] == []
    assert getattr(state, action.error) == SERVER_ERROR.message
    assert browser.session.signed_in and browser.session_alive()
    if action.working:
        assert not getattr(state, action.working)


@pytest.mark.parametrize("name", [name for name, action in ACTIONS.items() if action.working])
def test_the_working_flag_is_up_while_the_call_runs(monkeypatch, name):
    action = ACTIONS[name]
    browser, state = _open(monkeypatch, action)
    seen: list[Any] = []
    get, post = browser.api.get, browser.api.post

    async def watching_get(*args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(state, action.working))
        return await get(*args, **kwargs)

    async def watching_post(*args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(state, action.working))
        return await post(*args, **kwargs)

    browser.api.get, browser.api.post = watching_get, watching_post
    browser.api.patch = browser.api.delete = watching_get  # type: ignore[method-assign]
    browser.api.will_answer(SERVER_ERROR)

    updates = run(action.act(state))

    assert seen and seen[0]  # up (True, or the row being changed) during the call
    assert updates[0] is None  # ...and sent to the page before the call
    assert not getattr(state, action.working)


def test_a_signed_out_visitor_calls_nothing(monkeypatch):
    # The page guard has already sent them to sign in; the page's loader must not call the
    # API (and must not replace "Please sign in to continue." with "Your session has ended").
    browser, wallet = _open(monkeypatch, ACTIONS["wallet"])
    browser.session.signed_in = False
    browser.session.notice = "Please sign in to continue."

    assert run(wallet.load()) == []
    assert browser.api.requests == []
    assert browser.session.notice == "Please sign in to continue."


def test_an_api_error_code_can_have_the_pages_own_sentence(monkeypatch):
    browser, staff = _open(monkeypatch, ACTIONS["staff add"])
    browser.api.will_answer(ApiError("Already waiting.", status=409, code="already_invited"))

    run(staff.add())

    assert staff.error == STAFF_PROBLEMS["already_invited"]
    assert staff.notice == "" and staff.email == "sam@example.com"


def test_the_invite_form_checks_the_address_like_the_api(monkeypatch):
    browser, staff = _open(monkeypatch, ACTIONS["staff add"])
    staff.email = "sam at example.com"

    run(staff.add())

    assert staff.error == "Enter their email address, like sam@example.com."
    assert browser.api.requests == []


def test_an_invitation_that_is_gone_reads_as_such(monkeypatch):
    browser, invitations = _open(monkeypatch, ACTIONS["accept"])
    browser.api.will_answer(ApiError("No open invitation.", status=404, code="not_found"))

    run(invitations.accept("m_2.token"))

    assert invitations.error == ANSWER_PROBLEMS["not_found"]
    assert browser.merchant.merchant_id == "m_1"  # still working where I was


def test_accepting_opens_the_business_that_was_joined(monkeypatch):
    browser, invitations = _open(monkeypatch, ACTIONS["accept"])
    role = {"merchant_id": "m_2", "name": "Bakery Two", "category": "bakery", "role": "staff"}
    browser.api.will_answer(role, role, {"merchant_id": "m_2", "name": "Bakery Two"})

    updates = run(invitations.accept("m_2.token"))

    assert [t for t in map(redirect_target, updates) if t] == ["/merchant/scan"]
    assert (browser.merchant.merchant_id, browser.merchant.role) == ("m_2", "staff")
    assert browser.api.requests == [
        ("POST", "/invitations/m_2.token/accept"),
        ("GET", "/me/merchants/m_2"),
        ("GET", "/merchants/m_2"),
    ]


def test_leaving_the_business_i_work_on_moves_me_to_another(monkeypatch):
    browser, merchant = _open(monkeypatch, ACTIONS["leave"])
    merchant.merchant_id = "m_2"
    owned = {"merchant_id": "m_1", "name": "Café Rosa", "category": "cafe", "role": "owner"}
    browser.api.will_answer({}, {"items": [owned], "next_cursor": None}, {"merchant_id": "m_1"})

    run(merchant.leave())

    assert (merchant.merchant_id, merchant.role, merchant.confirm_leave) == ("m_1", "owner", "")
    assert merchant.notice == "You left Bakery Two. Its owner can invite you again."
    assert ("DELETE", "/me/merchants/m_2") in browser.api.requests


def test_a_rewards_change_that_works_clears_the_old_sentence(monkeypatch):
    browser, rewards = _open(monkeypatch, ACTIONS["reward save"])
    rewards.form_error = "Something went wrong on our side."
    added = {"reward_id": "r_1", "name": "Free coffee", "cost_points": 50, "active": True}
    browser.api.will_answer(added, {"rewards": [added]})

    run(rewards.save())

    assert rewards.form_error == ""
    assert rewards.notice == "Free coffee added: customers can redeem it for 50 points."
    assert [r["name"] for r in rewards.rewards] == ["Free coffee"]
    assert browser.api.requests == [
        ("POST", "/merchants/m_1/rewards"),
        ("GET", "/merchants/m_1/rewards"),
    ]

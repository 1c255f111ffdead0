"""The pages of adjustments, exports, receipts' claim codes and the wallet's expiry notice,
driven through their states against a stand-in API (tests/unit/ui_browser.py)."""

from __future__ import annotations

import base64
import csv
import io
from typing import Any

import reflex as rx

from epoint_ui.api import ApiError
from epoint_ui.formatting import Reader
from epoint_ui.spreadsheets import cell, csv_text
from epoint_ui.states.claim import ClaimState
from epoint_ui.states.merchant_exports import ExportsState
from epoint_ui.states.merchant_members import MembersState
from epoint_ui.states.receipt_codes import ReceiptCodeState
from epoint_ui.states.views import wallet_card
from tests.unit.ui_browser import Browser, run

NETWORK = ApiError("We couldn't reach ePoint.", code="network")


def downloaded(updates: list[Any]) -> tuple[str, str]:
    """(file name, text) of the download an event handler sent to the page."""
    for update in updates:
        if isinstance(update, rx.event.EventSpec) and "download" in update.handler.fn.__qualname__:
            args = {name._js_expr: value._var_value for name, value in update.args}
            url = str(args["url"])
            assert url.startswith("data:text/csv;base64,")
            return str(args["filename"]), base64.b64decode(url.split(",", 1)[1]).decode()
    raise AssertionError(f"no download in {updates}")


def entry(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "tx_id": f"t_{n:03d}",
        "kind": "earn",
        "customer_id": "u_1",
        "customer_name": "Carl",
        "points": n,
        "balance_after": n,
        "amount_cents": n * 100,
        "created_at": "2026-11-02T10:00:00Z",
        **fields,
    }


# ------------------------------------------------------------------ exports


def test_the_ledger_export_reads_every_page_into_one_file(monkeypatch):
    browser = Browser(monkeypatch, path="/merchant/exports")
    browser.merchant.business["name"] = "Café Rosa"
    exports = browser.open(ExportsState)
    exports.first_day, exports.last_day = "2026-11-01", "2026-11-30"
    browser.api.will_answer(
        {"items": [entry(1), entry(2)], "next_cursor": "c1"},
        {"items": [entry(3, customer_name='=HYPERLINK("x")')], "next_cursor": "c2"},
        {
            "items": [entry(4, kind="adjustment", reason="goodwill", note="+ sorry")],
            "next_cursor": None,
        },
    )

    name, text = downloaded(run(exports.download("ledger")))

    assert browser.api.requests == [("GET", "/merchants/m_1/exports/ledger")] * 3
    assert name == "caf-rosa-ledger-2026-11-01-to-2026-11-30.csv"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["transaction"] for r in rows] == ["t_001", "t_002", "t_003", "t_004"]
    assert rows[0]["purchase amount"] == "1.00" and rows[0]["currency"] == "EUR"
    assert rows[2]["customer"] == '\'=HYPERLINK("x")'  # text, not a formula
    assert (rows[3]["reason"], rows[3]["note"]) == ("goodwill", "'+ sorry")
    assert exports.done == "Downloaded 4 ledger entries." and not exports.downloading


def test_the_members_export_writes_balance_tier_and_expiry(monkeypatch):
    browser = Browser(monkeypatch, path="/merchant/exports")
    exports = browser.open(ExportsState)
    exports.first_day, exports.last_day = "2026-11-01", "2026-11-30"
    member = {
        "customer_id": "u_1",
        "display_name": "Carl",
        "balance": 120,
        "lifetime_points": 640,
        "tier": "Silver",
        "last_activity_at": "2026-11-03T09:00:00Z",
        "member_since": "2026-01-03T09:00:00Z",
        "expiry": {"points": 120, "expires_on": "2027-11-03", "notice": False},
    }
    browser.api.will_answer({"items": [member], "next_cursor": None})

    _, text = downloaded(run(exports.download("members")))

    (row,) = csv.DictReader(io.StringIO(text))
    assert (row["balance"], row["lifetime points"], row["tier"]) == ("120", "640", "Silver")
    assert (row["points expiring"], row["expire on"]) == ("120", "2027-11-03")


def test_a_backwards_range_is_refused_before_any_call(monkeypatch):
    browser = Browser(monkeypatch, path="/merchant/exports")
    exports = browser.open(ExportsState)
    exports.first_day, exports.last_day = "2026-11-30", "2026-11-01"

    assert run(exports.download("ledger")) == []
    assert exports.error == "The last day must not be before the first."
    assert browser.api.requests == []


def test_cells_that_a_spreadsheet_would_run_stay_text():
    assert [cell(v) for v in ("=1+1", "+1", "-1", "@SUM", "\tx", "Carl", -5, None)] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM",
        "'\tx",
        "Carl",
        -5,
        "",
    ]
    assert csv_text([("a", "A")], [{"a": 'x,"y"'}]) == 'A\r\n"x,""y"""\r\n'


# ------------------------------------------------------------------ adjustments


def test_the_adjustment_form_previews_the_new_balance(monkeypatch):
    browser = Browser(monkeypatch, path="/merchant/members")
    members = browser.open(MembersState)
    members.items = [{"customer_id": "u_2", "name": "Carl", "balance": 50}]
    members.ask_adjust("u_2")
    members.set_points("20")
    assert members.adjust_preview == "Carl's balance goes from 50 to 70 points."
    members.set_direction("remove")
    members.set_points("60")
    assert members.adjust_preview == "Carl has 50 points: you can remove at most that."
    members.set_points("1.5")
    assert "whole number" in members.adjust_preview


def test_an_adjustment_is_retried_with_its_key_and_shows_the_new_balance(monkeypatch):
    browser = Browser(monkeypatch, path="/merchant/members")
    members = browser.open(MembersState)
    members.items = [{"customer_id": "u_2", "name": "Carl", "balance": 50}]
    members.ask_adjust("u_2")
    members.set_points("10")
    key = members.adjust_key
    browser.api.will_answer(NETWORK)
    run(members.adjust())
    assert members.adjust_open and members.adjust_key == key  # may have happened: same key
    browser.api.will_answer({"transaction": {"points": 10}, "balance": 60})
    run(members.adjust())
    assert browser.api.keys == [key, key]
    assert members.items[0]["balance"] == 60 and not members.adjust_open
    assert members.notice == "+10 points for Carl: their balance is now 60."


def test_a_refused_adjustment_gets_a_new_key(monkeypatch):
    browser = Browser(monkeypatch, path="/merchant/members")
    members = browser.open(MembersState)
    members.items = [{"customer_id": "u_2", "name": "Carl", "balance": 50}]
    members.ask_adjust("u_2")
    members.set_points("10")
    key = members.adjust_key
    browser.api.will_answer(ApiError("Only the owner.", status=403, code="owner_only"))
    run(members.adjust())
    assert members.adjust_error == "Only the owner." and members.adjust_key != key


# ------------------------------------------------------------------ receipts' claim codes


def test_the_till_issues_a_code_and_shows_it_to_print(monkeypatch):
    browser = Browser(monkeypatch, path="/merchant/scan")
    till = browser.open(ReceiptCodeState)
    browser.api.will_answer(
        {"claim_id": "c_1", "code": "7K3M-Q9XA-2HPD", "valid_until": "2026-12-08T10:00:00Z"}
    )
    run(till.issue({"amount": "12,50"}))
    assert (till.code, till.code_amount) == ("7K3M-Q9XA-2HPD", "€12.50")
    assert till.code_valid_until == "Dec 8, 2026, 10:00\u202fAM"  # English, UTC: no cookie
    till.done()
    assert till.code == ""


def test_the_till_refuses_a_purchase_under_the_minimum_without_a_call(monkeypatch):
    browser = Browser(monkeypatch, path="/merchant/scan")
    browser.merchant.business["earning_rule"] = {"points_per_unit": 1, "min_purchase_cents": 500}
    till = browser.open(ReceiptCodeState)
    run(till.issue({"amount": "4.99"}))
    assert till.amount_error == "Purchases under 5.00 EUR earn no points."
    run(till.issue({"amount": "abc"}))
    assert till.amount_error.startswith("Enter the purchase total")
    assert browser.api.requests == [] and till.code == ""


def test_a_claim_is_retried_with_its_key_and_says_where_the_points_went(monkeypatch):
    browser = Browser(monkeypatch, path="/claim")
    claim = browser.open(ClaimState)
    claim.load()
    key = claim.key
    browser.api.will_answer(NETWORK)
    run(claim.claim({"code": "7k3m q9xa 2hpd"}))
    assert claim.error == NETWORK.message and claim.key == key
    browser.api.will_answer(
        {"transaction": {"points": 12, "merchant_name": "Café Rosa"}, "balance": 132}
    )
    run(claim.claim({"code": "7k3m q9xa 2hpd"}))
    assert browser.api.keys == [key, key]
    assert claim.claimed == "12 points at Café Rosa. Your balance there is 132."
    assert claim.key != key and claim.code == ""


def test_a_refused_claim_reads_as_such_and_the_next_try_is_new(monkeypatch):
    browser = Browser(monkeypatch, path="/claim")
    claim = browser.open(ClaimState)
    claim.load()
    key = claim.key
    browser.api.will_answer(ApiError("Used.", status=409, code="claim_code_used"))
    run(claim.claim({"code": "7K3M-Q9XA-2HPD"}))
    assert claim.error.startswith("This code was already claimed") and claim.key != key


def test_a_code_that_cannot_be_one_is_refused_before_any_call(monkeypatch):
    browser = Browser(monkeypatch, path="/claim")
    claim = browser.open(ClaimState)
    claim.load()
    run(claim.claim({"code": "7K3M-Q9XA"}))
    assert claim.error.startswith("Type the 12 letters and digits")
    assert browser.api.requests == []


# ------------------------------------------------------------------ the wallet's notice


def test_the_wallet_says_what_expires_when_once_the_date_is_near():
    base = {"merchant_id": "m_1", "merchant_name": "Café Rosa", "balance": 120, "tier": {}}
    near = {"points": 120, "expires_on": "2027-03-03", "notice": True}
    assert wallet_card({**base, "expiry": near}).expiry_notice == (
        "120 points expire on March 3. A visit before then keeps them."
    )
    german = Reader.of("de-DE", "Europe/Berlin")  # the date as the reader writes it
    assert wallet_card({**base, "expiry": near}, german).expiry_notice.startswith(
        "120 points expire on 3. März."
    )
    assert wallet_card({**base, "expiry": {**near, "notice": False}}).expiry_notice == ""
    assert wallet_card({**base, "expiry": None}).expiry_notice == ""

"""Money and dates as people read them (epoint_ui/formatting.py): the locale's own patterns."""

from __future__ import annotations

import pytest

from epoint_ui import formatting
from epoint_ui.formatting import Reader
from epoint_ui.states.views import business, history_row

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "€12.50"),
        ("en_GB", "€12.50"),
        ("de_DE", f"12,50{NBSP}€"),
        ("fr_FR", f"12,50{NBSP}€"),
    ],
)
def test_money_follows_the_locale(locale, expected):
    assert formatting.money(1250, "EUR", locale) == expected


def test_money_names_other_currencies_and_keeps_every_cent():
    assert formatting.money(7, "GBP", "en_GB") == "£0.07"
    assert formatting.money(1_000_000_00, "USD", "en_US") == "$1,000,000.00"
    assert formatting.money(1250, "SEK", "sv_SE") == f"12,50{NBSP}kr"


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de_DE"),
        ("en-GB", "en_GB"),
        ("fr", "fr"),
        ("xx-YY, de", "de"),  # the first one CLDR knows
        ("*", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_the_locale_comes_from_accept_language(header, locale):
    assert formatting.locale_from(header) == locale


def test_moments_are_shown_in_the_readers_time_zone():
    utc = "2026-12-01T21:05:00Z"
    assert formatting.moment(utc, "Europe/Berlin", "de_DE") == "01.12.2026, 22:05"
    assert formatting.moment(utc, "America/New_York", "en_US").startswith("Dec 1, 2026, 4:05")
    # Past midnight in Tokyo: the reader's date, not the server's.
    assert formatting.moment(utc, "Asia/Tokyo", "en_GB") == "2 Dec 2026, 06:05"
    assert formatting.moment(utc, "Not/AZone", "en_GB") == "1 Dec 2026, 21:05"  # UTC
    assert formatting.moment("", "UTC", "en") == ""
    assert formatting.day("2026-12-01", "de_DE") == "1. Dez."


def test_pages_show_money_and_dates_as_their_reader_reads_them():
    german = Reader.of("de-DE,de;q=0.9", "Europe/Berlin")
    earn = {
        "tx_id": "t_1",
        "kind": "earn",
        "points": 12,
        "amount_cents": 1250,
        "merchant_name": "Café Rosa",
        "created_at": "2026-12-01T21:05:00Z",
    }
    row = history_row(earn, {"t_1": earn}, german, "EUR")
    assert (row.detail, row.when) == (f"Spent 12,50{NBSP}€", "01.12.2026, 22:05")
    shop = {
        "name": "Café Rosa",
        "currency": "EUR",
        "earning_rule": {"points_per_unit": 2, "min_purchase_cents": 500},
    }
    assert business(shop, german).earning == (
        f"2 points per 1,00{NBSP}€ spent (purchases from 5,00{NBSP}€)"
    )
    assert business(shop, Reader()).earning == "2 points per €1.00 spent (purchases from €5.00)"

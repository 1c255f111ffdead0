"""Money, points and dates as a person reads them, in their language (Babel's CLDR data).

Pure functions of (value, locale, time zone): no Reflex, no boto3, no I/O. The one place that
formats for a reader, shared by the Lambda (emails: `backend/logic/emails.py`) and the app,
so a receipt by email and the same receipt on a page read alike. `loyalty/money.py` stays the
integer side (what a person typed, as cents).

Locales are CLDR identifiers (`en`, `en_GB`, `de_DE`); an unknown one reads as English.
Time zones are IANA names (`loyalty.catalog.time_zones`); an unknown one reads as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time, get_datetime_format
from babel.numbers import format_currency, format_decimal

from loyalty.catalog import DEFAULT_TIME_ZONE, is_time_zone

DEFAULT_LOCALE = "en"


def known_locale(name: str | None) -> str:
    """`name` if CLDR knows it ('de-DE' and 'de_DE' both give 'de_DE'); English otherwise."""
    try:
        return str(Locale.parse((name or "").strip(), sep="_" if "_" in (name or "") else "-"))
    except (ValueError, TypeError, UnknownLocaleError):
        return DEFAULT_LOCALE


def known_zone(name: str | None) -> str:
    """`name` if it is one of the time zones ePoint knows (`loyalty.catalog`); UTC otherwise."""
    return name if name and is_time_zone(name) else DEFAULT_TIME_ZONE


def money(cents: int, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """1250 EUR as '€12.50' (en) or '12,50 €' (de): the locale's pattern and symbol."""
    return format_currency(
        Decimal(int(cents)).scaleb(-2), currency or "EUR", locale=known_locale(locale)
    )


def points(count: int, locale: str = DEFAULT_LOCALE) -> str:
    """1200 as '1,200' (en) or '1.200' (de): a number of points, grouped as the reader groups."""
    return format_decimal(int(count), locale=known_locale(locale))


def _local(epoch_s: float, time_zone: str) -> datetime:
    return datetime.fromtimestamp(epoch_s, UTC).astimezone(ZoneInfo(known_zone(time_zone)))


def day(epoch_s: float, time_zone: str = DEFAULT_TIME_ZONE, locale: str = DEFAULT_LOCALE) -> str:
    """The calendar day of a moment where the reader is, without the year: '3 March' (en_GB),
    'March 3' (en), '3. März' (de)."""
    return format_skeleton("MMMMd", _local(epoch_s, time_zone), locale=known_locale(locale))


def moment(epoch_s: float, time_zone: str = DEFAULT_TIME_ZONE, locale: str = DEFAULT_LOCALE) -> str:
    """A moment as the reader's date and time: 'Dec 1, 2026, 10:05 PM' (en, Berlin),
    '01.12.2026, 22:05' (de, Berlin)."""
    local = _local(epoch_s, time_zone)
    language = known_locale(locale)
    pattern = get_datetime_format("medium", locale=language)
    return pattern.replace("{1}", format_date(local, "medium", locale=language)).replace(
        "{0}", format_time(local, "short", locale=language)
    )

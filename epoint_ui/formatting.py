"""Money and dates as a person reads them: the one place that formats them for a locale.

Amounts are integer cents in a business's currency ('€12.50' in English, '12,50 €' in
German); moments are the API's UTC timestamps shown in the reader's time zone. Pure
functions of (value, locale, time zone) on Babel's CLDR data: no Reflex, no I/O, so the
pages, their tests (and an email renderer) format exactly alike. `loyalty/money.py` stays
the integer side (what a person typed, as cents).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, format_time, get_datetime_format
from babel.numbers import format_currency

DEFAULT_LOCALE = "en"
DEFAULT_TIME_ZONE = "UTC"


def locale_from(accept_language: str | None) -> str:
    """The first language of an Accept-Language header that CLDR knows ('de-DE,de;q=0.9'
    gives 'de_DE'); English when none is given or known."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip()
        if not tag or tag == "*":
            continue
        try:
            return str(Locale.parse(tag, sep="-"))
        except (ValueError, UnknownLocaleError):
            continue
    return DEFAULT_LOCALE


def zone_from(name: str | None) -> str:
    """An IANA time zone name the browser reported, if real; UTC otherwise."""
    try:
        ZoneInfo(name or "")
    except (ZoneInfoNotFoundError, ValueError):
        return DEFAULT_TIME_ZONE
    return str(name)


def money(cents: int, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """1250 EUR as '€12.50' (en) or '12,50 €' (de): the locale's pattern and symbol."""
    return format_currency(Decimal(int(cents)).scaleb(-2), currency or "EUR", locale=locale)


def _moment(iso: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def moment(
    iso: str | None, time_zone: str = DEFAULT_TIME_ZONE, locale: str = DEFAULT_LOCALE
) -> str:
    """An API timestamp ('2026-12-01T21:05:00Z') as the reader's date and time: 'Dec 1, 2026,
    10:05 PM' (en, Berlin), '01.12.2026, 22:05' (de, Berlin)."""
    if not iso:
        return ""
    parsed = _moment(iso)
    if parsed is None:
        return iso
    local = parsed.astimezone(ZoneInfo(zone_from(time_zone)))
    pattern = get_datetime_format("medium", locale=locale)
    return pattern.replace("{1}", format_date(local, "medium", locale=locale)).replace(
        "{0}", format_time(local, "short", locale=locale)
    )


def day(iso_date: str, locale: str = DEFAULT_LOCALE) -> str:
    """A calendar day ('2026-12-01') as a short label: 'Dec 1' (en), '1. Dez.' (de)."""
    try:
        parsed = date.fromisoformat(iso_date[:10])
    except ValueError:
        return iso_date
    return format_skeleton("MMMd", parsed, locale=locale)


@dataclasses.dataclass(frozen=True)
class Reader:
    """Who reads the page: their locale and time zone; formats money and moments for them."""

    locale: str = DEFAULT_LOCALE
    time_zone: str = DEFAULT_TIME_ZONE

    @classmethod
    def of(cls, accept_language: str | None, time_zone: str | None) -> Reader:
        """From the browser's Accept-Language header and its reported time zone."""
        return cls(locale_from(accept_language), zone_from(time_zone))

    def money(self, cents: int, currency: str) -> str:
        """See `money`."""
        return money(cents, currency, self.locale)

    def moment(self, iso: str | None) -> str:
        """See `moment`."""
        return moment(iso, self.time_zone, self.locale)

    def day(self, iso_date: str) -> str:
        """See `day`."""
        return day(iso_date, self.locale)

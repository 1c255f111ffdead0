"""Money and dates on the app's pages, for the person reading them.

The formatting itself lives in `loyalty/formatting.py`, shared with the emails the Lambda
sends, so a receipt on a page and the same receipt by email read alike. What is the app's
own is here: who reads (the language of the browser's Accept-Language header, the time zone
it reports) and the API's ISO timestamps, turned into the moments `loyalty.formatting`
formats. `loyalty/money.py` stays the integer side (what a person typed, as cents).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from babel.dates import format_skeleton

from loyalty import formatting as shared
from loyalty.catalog import DEFAULT_TIME_ZONE
from loyalty.formatting import DEFAULT_LOCALE, money

__all__ = [
    "DEFAULT_LOCALE",
    "DEFAULT_TIME_ZONE",
    "Reader",
    "calendar_day",
    "day",
    "locale_from",
    "moment",
    "money",
]


def locale_from(accept_language: str | None) -> str:
    """The first language of an Accept-Language header that CLDR knows ('de-DE,de;q=0.9'
    gives 'de_DE'); English when none is given or known."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip()
        if not tag or tag == "*":
            continue
        known = shared.known_locale(tag)
        if known != DEFAULT_LOCALE or tag.lower().startswith("en"):
            return known
    return DEFAULT_LOCALE


def zone_from(name: str | None) -> str:
    """A time zone the browser reported, if ePoint knows it; UTC otherwise."""
    return shared.known_zone(name)


def moment(
    iso: str | None, time_zone: str = DEFAULT_TIME_ZONE, locale: str = DEFAULT_LOCALE
) -> str:
    """An API timestamp ('2026-12-01T21:05:00Z') as the reader's date and time: 'Dec 1, 2026,
    10:05 PM' (en, Berlin), '01.12.2026, 22:05' (de, Berlin)."""
    if not iso:
        return ""
    try:
        parsed = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return shared.moment(parsed.timestamp(), time_zone, locale)


def day(iso_date: str, locale: str = DEFAULT_LOCALE) -> str:
    """A calendar day ('2026-12-01', no time zone: the figures' days) as a short label:
    'Dec 1' (en), '1. Dez.' (de)."""
    try:
        parsed = date.fromisoformat(iso_date[:10])
    except ValueError:
        return iso_date
    return format_skeleton("MMMd", parsed, locale=shared.known_locale(locale))


def calendar_day(
    iso_date: str | None, locale: str = DEFAULT_LOCALE, *, with_year: bool = True
) -> str:
    """A date the API gives (`2027-03-03`) in words: 'March 3, 2027' (en), '3. März 2027' (de);
    without the year 'March 3'."""
    try:
        parsed = date.fromisoformat(str(iso_date)[:10])
    except ValueError:
        return str(iso_date or "")
    skeleton = "yMMMMd" if with_year else "MMMMd"
    return format_skeleton(skeleton, parsed, locale=shared.known_locale(locale))


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
        """See `loyalty.formatting.money`."""
        return money(cents, currency, self.locale)

    def moment(self, iso: str | None) -> str:
        """See `moment`."""
        return moment(iso, self.time_zone, self.locale)

    def day(self, iso_date: str) -> str:
        """See `day`."""
        return day(iso_date, self.locale)

    def calendar_day(self, iso_date: str | None, *, with_year: bool = True) -> str:
        """See `calendar_day`."""
        return calendar_day(iso_date, self.locale, with_year=with_year)

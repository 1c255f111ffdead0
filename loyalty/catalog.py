"""The business categories, the currencies a business can keep its prices in, and the time
zones it can run on."""

from __future__ import annotations

import functools
import re
import zoneinfo

# Category -> how a person reads it, in the order the forms offer them.
CATEGORIES: dict[str, str] = {
    "cafe": "Café",
    "bakery": "Bakery",
    "restaurant": "Restaurant",
    "grocery": "Grocery",
    "retail": "Shop",
    "beauty": "Beauty",
    "other": "Other",
}

# ISO 4217 codes. Each has a minor unit of 1/100, which the earning formula relies on
# (whole units = cents // 100): a currency without cents (JPY) or with 1/1000 (KWD) would
# need a different formula before it is added here.
CURRENCIES: tuple[str, ...] = ("EUR", "USD", "GBP", "CHF", "SEK", "DKK", "NOK", "PLN", "CZK")
DEFAULT_CURRENCY = "EUR"


# Time zones: a business's promotions run on its own clock (IANA names, e.g. Europe/Berlin).
# The regional zones and UTC; the old aliases (US/Eastern, Etc/GMT+1, CET...) are left out
# so the list a person picks from is one name per place.
DEFAULT_TIME_ZONE = "UTC"
_REGIONS = re.compile(
    r"(Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific)/[A-Za-z0-9_+\-/]+"
)


@functools.cache
def time_zones() -> tuple[str, ...]:
    """Every time zone a business can pick, UTC first, then by name."""
    regional = sorted(z for z in zoneinfo.available_timezones() if _REGIONS.fullmatch(z))
    return (DEFAULT_TIME_ZONE, *regional)


def is_time_zone(name: str) -> bool:
    """Whether `name` is one of `time_zones()`."""
    return isinstance(name, str) and name in time_zones()


# Why an owner adds or removes points by hand (the ledger entry keeps it, with a note).
ADJUSTMENT_REASONS: dict[str, str] = {
    "goodwill": "Goodwill",
    "correction": "Correction",
}

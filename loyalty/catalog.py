"""The business categories and the currencies a business can keep its prices in."""

from __future__ import annotations

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

# Why an owner adds or removes points by hand (the ledger entry keeps it, with a note).
ADJUSTMENT_REASONS: dict[str, str] = {
    "goodwill": "Goodwill",
    "correction": "Correction",
}

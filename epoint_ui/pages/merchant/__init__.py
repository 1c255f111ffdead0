"""The merchant side: businesses, the till (scan), ledger, figures and the owner's settings."""

from epoint_ui.pages.merchant import (  # noqa: F401
    businesses,
    exports,
    figures,
    ledger,
    members,
    receipts,
    rewards,
    scan,
    settings,
    staff,
)

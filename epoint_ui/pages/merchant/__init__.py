"""The merchant side: businesses, the till (scan), ledger, figures and the owner's settings,
rewards, programs (stamp card, promotions) and staff."""

from epoint_ui.pages.merchant import (  # noqa: F401
    businesses,
    exports,
    figures,
    ledger,
    members,
    programs,
    receipts,
    rewards,
    scan,
    settings,
    staff,
)

"""Every page of the app; importing a module registers its pages (`@rx.page`)."""

from epoint_ui.pages import (  # noqa: F401
    businesses,
    claim,
    dev_outbox,
    forgot_password,
    history,
    invitation,
    landing,
    merchant,
    my_code,
    profile,
    sign_in,
    sign_up,
    wallet,
)

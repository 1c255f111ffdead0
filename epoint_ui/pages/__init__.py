"""Every page of the app; importing a module registers its pages (`@rx.page`)."""

from epoint_ui.pages import (  # noqa: F401
    forgot_password,
    landing,
    sign_in,
    sign_up,
)

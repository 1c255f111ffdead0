"""The session cookie's step, on the pages where a session starts or ends (sign-in, profile).

`start_session` and `SessionState.sign_out` leave the page one HTTP call to make; this is
what makes it (see `components/session_cookie.py`) and then moves on.
"""

import reflex as rx

from epoint_ui.components.session_cookie import session_cookie_step
from epoint_ui.states.session import SessionState


def cookie_step() -> rx.Component:
    """Sets or clears the HttpOnly session cookie when SessionState asks for it."""
    return session_cookie_step(
        claim=SessionState.cookie_claim,
        end=SessionState.cookie_end,
        on_done=SessionState.cookie_step_done,
    )

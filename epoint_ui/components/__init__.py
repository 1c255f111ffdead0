"""Stateless UI pieces shared by the customer and merchant pages."""

from epoint_ui.components.buttons import primary_button, row_danger_button, secondary_button
from epoint_ui.components.cards import card
from epoint_ui.components.countdown import countdown
from epoint_ui.components.feedback import empty_state, error_callout, notice_callout
from epoint_ui.components.forms import code_input, field, text_input
from epoint_ui.components.layout import NAV_LINKS, NavLink, page_shell, public_shell
from epoint_ui.components.links import link, text_link

__all__ = [
    "NAV_LINKS",
    "NavLink",
    "card",
    "code_input",
    "countdown",
    "empty_state",
    "error_callout",
    "field",
    "link",
    "notice_callout",
    "page_shell",
    "primary_button",
    "public_shell",
    "row_danger_button",
    "secondary_button",
    "text_input",
    "text_link",
]

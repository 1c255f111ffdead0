"""The frame of every merchant page: the business's name and the merchant navigation.

Stateless: the page passes in the business's name and whether the viewer owns it;
owner-only sections are left out of staff members' navigation (and their pages
refuse too, as does the API).
"""

from __future__ import annotations

import reflex as rx

from epoint_ui.components.feedback import message_callout
from epoint_ui.components.layout import page_shell
from epoint_ui.components.links import link, text_link

MERCHANT_HOME = "/merchant"

# (label, path, owner only)
MERCHANT_SECTIONS = [
    ("Scan", "/merchant/scan", False),
    ("Ledger", "/merchant/ledger", False),
    ("Figures", "/merchant/figures", False),
    ("Receipt codes", "/merchant/receipts", False),
    ("Members", "/merchant/members", True),
    ("Exports", "/merchant/exports", True),
    ("Settings", "/merchant/settings", True),
    ("Rewards", "/merchant/rewards", True),
    ("Programs", "/merchant/programs", True),
    ("Staff", "/merchant/staff", True),
]


def _section_link(label: str, href: str, current: str) -> rx.Component:
    here = href == current
    # `link` keeps the hover colour dark: Radix's default (accent 8) drops to about 2:1.
    return link(
        label,
        href=href,
        aria_current="page" if here else None,
        underline="none",
        weight="bold" if here else "regular",
        color=rx.color("accent", 12) if here else rx.color("accent", 11),
        padding="0.4em 0.7em",
        border_radius="var(--radius-2)",
        background=rx.color("accent", 4) if here else "transparent",
    )


def merchant_nav(current: str, is_owner: rx.Var[bool] | bool) -> rx.Component:
    """The merchant sections; owner-only ones only for the owner."""
    links = []
    for label, href, owner_only in MERCHANT_SECTIONS:
        link = _section_link(label, href, current)
        links.append(rx.cond(is_owner, link) if owner_only else link)
    return rx.el.nav(
        rx.flex(*links, wrap="wrap", spacing="1"),
        aria_label="Business",
        width="100%",
    )


def merchant_frame(
    *children: rx.Component,
    title: str,
    current: str,
    business_name: rx.Var[str] | str,
    is_owner: rx.Var[bool] | bool,
) -> rx.Component:
    """A merchant page: which business this is (with a way to switch) and its sections."""
    return page_shell(
        rx.hstack(
            rx.text(business_name, weight="bold", size="3", id="business-name"),
            text_link("Switch or add a business", MERCHANT_HOME, size="2"),
            justify="between",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        merchant_nav(current, is_owner),
        *children,
        title=title,
        current=MERCHANT_HOME,
    )


def owner_only(
    content: rx.Component, is_owner: rx.Var[bool], loaded: rx.Var[bool], message: rx.Var[str]
) -> rx.Component:
    """Shows `content` to the owner; anyone else reads why they cannot use this page."""
    return rx.cond(
        loaded,
        rx.cond(
            is_owner,
            content,
            rx.callout(
                message,
                icon="lock",
                color_scheme="amber",
                high_contrast=True,
                role="alert",
                width="100%",
                id="owner-only",
            ),
        ),
        rx.spinner(size="3", aria_label="Loading"),
    )


def done_note(message: rx.Var[str] | str, note_id: str | None = None) -> rx.Component:
    """What just succeeded (saved, added, reversed), announced politely; nothing when empty."""
    return message_callout(
        message, icon="circle_check", color="green", role="status", callout_id=note_id
    )

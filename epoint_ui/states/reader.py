"""Who reads this browser's pages: their language and time zone, for money and dates.

The language is the browser's Accept-Language (sent with the state server's websocket
handshake, which Reflex exposes as router headers). The time zone is not sent by browsers:
`assets/time-zone.js` (loaded by every page) puts `Intl...resolvedOptions().timeZone` in
the `epoint_tz` cookie, which this state reads. Neither is secret; a wrong or missing
value falls back to English and UTC.
"""

from __future__ import annotations

from urllib.parse import unquote

import reflex as rx

from epoint_ui.formatting import Reader


class ReaderState(rx.State):
    """The browser's time zone (from its cookie)."""

    time_zone: str = rx.Cookie("", name="epoint_tz", same_site="strict")


async def reader(state: rx.State) -> Reader:
    """How the person behind `state`'s browser reads money and dates."""
    zone = unquote((await state.get_state(ReaderState)).time_zone)
    return Reader.of(state.router.headers.accept_language, zone)

"""My code: a fresh one-time QR code, refreshed before it expires, watched for the scan."""

from __future__ import annotations

import asyncio
import time

import reflex as rx
import segno

from epoint_ui.api import ApiClient, ApiError
from epoint_ui.states.api_call import refused
from epoint_ui.states.session import SessionState, api
from epoint_ui.states.views import scan_messages

# A new code is fetched this many seconds before the shown one expires, so the
# merchant never scans a code that dies mid-scan.
REFRESH_BEFORE_S = 5
POLL_EVERY_S = 1.0
# After a scan, keep watching the visit (earn, redemptions) this long; a visit lives 10 min.
WATCH_AFTER_SCAN_S = 600
# A closed tab sends no "left the page" event: stop refreshing codes after this long and
# let the customer ask for a new one, so a forgotten tab does not poll for ever.
SHOW_AT_MOST_S = 600


def qr_data_uri(value: str) -> str:
    """The token as an SVG QR code in a data URI (rendered here, no JavaScript QR library)."""
    return segno.make(value, error="m", micro=False).svg_data_uri(scale=8, border=2)


class MyCodeState(rx.State):
    """The code the customer shows at the till."""

    short_code: str = ""
    qr_src: str = ""
    seconds_left: int = 0
    scanned: bool = False
    scanned_message: str = ""
    balance_message: str = ""
    error: str = ""
    active: bool = False
    paused: bool = False
    _token_id: str = ""
    _token_expires: float = 0.0
    _run: int = 0

    @rx.event(background=True)
    async def show(self):
        """The customer opens My code: keep a fresh code on screen until a merchant scans it."""
        async with self:
            session = await self.get_state(SessionState)
            if not session.signed_in:
                return None
            self._run += 1
            run = self._run
            self.active, self.paused, self.scanned, self.error = True, False, False, ""
            self.scanned_message, self.balance_message = "", ""
            self._token_id, self.short_code, self.qr_src = "", "", ""
        scanned_at, started = 0.0, time.time()
        while True:
            async with self:
                if not self.active or self._run != run:
                    return None
                try:
                    client = await api(self)
                except ApiError as err:
                    self.active = False
                    return await refused(self, err)
                token_id, expires, scanned = self._token_id, self._token_expires, self.scanned
            if (scanned and time.time() - scanned_at > WATCH_AFTER_SCAN_S) or (
                not scanned and time.time() - started > SHOW_AT_MOST_S
            ):
                async with self:
                    self.active, self.paused = False, not scanned
                return None
            try:
                if scanned:
                    await self._watch(client, token_id, run)
                elif not token_id or expires - time.time() <= REFRESH_BEFORE_S:
                    await self._new_code(client, run)
                else:
                    if await self._watch(client, token_id, run):
                        scanned_at = time.time()
            except ApiError as err:
                async with self:
                    ended = await refused(self, err)
                    if ended is not None:
                        self.active = False
                        return ended
                    if err.status in (404, 410) and not self.scanned:
                        self._token_id = ""  # that code is gone: fetch a new one
                await asyncio.sleep(2 * POLL_EVERY_S)
                continue
            async with self:
                self.seconds_left = max(0, round(self._token_expires - time.time()))
            await asyncio.sleep(POLL_EVERY_S)

    async def _new_code(self, client: ApiClient, run: int) -> None:
        answer = await client.post("/qr-tokens")
        qr = qr_data_uri(str(answer["token"]))
        async with self:
            if self._run != run:
                return
            self._token_id = str(answer["token_id"])
            # Count down on our own clock from `expires_in`, immune to clock skew.
            self._token_expires = time.time() + int(answer.get("expires_in") or 60)
            self.short_code = str(answer.get("short_code", ""))
            self.qr_src = qr
            self.error = ""

    async def _watch(self, client: ApiClient, token_id: str, run: int) -> bool:
        """Polls the token; True when it has just been scanned."""
        answer = await client.get(f"/qr-tokens/{token_id}")
        status = answer.get("status")
        async with self:
            if self._run != run:
                return False
            self.error = ""
            if status == "expired" and not self.scanned:
                self._token_id = ""  # the loop fetches a new code at once
                return False
            if status != "scanned":
                return False
            first = not self.scanned
            self.scanned = True
            self.scanned_message, self.balance_message = scan_messages(answer)
            return first

    @rx.event
    def hide(self):
        """The customer leaves the page: stop refreshing and polling."""
        self.active = False

    @rx.event
    def new_code(self):
        """The customer wants a fresh code (after a scan, or when polling stopped)."""
        return MyCodeState.show

"""My code: a fresh one-time QR code, renewed before it expires, and the scan shown as it lands.

Push, not poll. The screen waits on the hint channel (`epoint_ui/hints.py`) for "look
again" about this customer (a visit opened on their code, an earn or a redemption in
it, whoever made it: our till or a till integration calling the API) and then reads
`GET /qr-tokens/{id}` once. Besides, it reads on its own every `FALLBACK_S` (a lost hint;
`FALLBACK_UNHEARD_S` while the channel is down) and renews the code `REFRESH_BEFORE_S`
before it expires. Per open screen that is about 1.1 renewals and 0.7 reads a minute,
where polling every second made 61.

The loop lives while the page is on screen (`OnScreen`: idempotent start, a grace period
before it stops, so React Strict Mode's mount -> unmount -> mount in `reflex run` keeps
it). The countdown runs in the browser (`components/countdown.py`), so the state changes
only when something happens.
"""

from __future__ import annotations

import time

import reflex as rx
import segno

from epoint_ui import hints
from epoint_ui.api import ApiClient, ApiError
from epoint_ui.states.api_call import refused
from epoint_ui.states.on_screen import HIDDEN_GRACE_S, OnScreen, loop_ended, loop_started
from epoint_ui.states.session import SessionState, api
from epoint_ui.states.views import scan_messages

LOOP = "my_code"
# A new code is fetched this many seconds before the shown one expires, so the
# merchant never scans a code that dies mid-scan.
REFRESH_BEFORE_S = 5
# Reads the screen makes with no hint: a hint lost on the way is shown this late at worst.
FALLBACK_S = 90.0
# ...and while this state server does not hear the channel (Redis down, reconnecting).
FALLBACK_UNHEARD_S = 15.0
# A replaced code can still be scanned until it expires; a hint then reads it too this long.
PREVIOUS_CODE_GRACE_S = 15
RETRY_AFTER_ERROR_S = 2.0
# After a scan, keep watching the visit (earn, redemptions) this long; a visit lives 10 min.
WATCH_AFTER_SCAN_S = 600
# A forgotten open tab stops renewing codes after this long (the customer can ask again).
SHOW_AT_MOST_S = 600


def qr_data_uri(value: str) -> str:
    """The token as an SVG QR code in a data URI (rendered here, no JavaScript QR library)."""
    return segno.make(value, error="m", micro=False).svg_data_uri(scale=8, border=2)


class MyCodeState(OnScreen, rx.State):
    """The code the customer shows at the till."""

    short_code: str = ""
    qr_src: str = ""
    # The code's life when it was issued, and which code it is: the browser counts down.
    code_life_s: int = 0
    code_serial: int = 0
    scanned: bool = False
    scanned_message: str = ""
    balance_message: str = ""
    error: str = ""
    active: bool = False
    paused: bool = False
    _token_id: str = ""
    _token_expires: float = 0.0
    _previous_token_id: str = ""
    _previous_expires: float = 0.0

    def _start(self, run: int | None):
        """Fresh screen and the loop's start event, if a new loop is to run."""
        if run is None:
            return None
        self.active, self.paused, self.scanned, self.error = True, False, False, ""
        self.scanned_message, self.balance_message = "", ""
        self._token_id, self.short_code, self.qr_src = "", "", ""
        self._previous_token_id = ""
        return MyCodeState.keep_fresh(run)

    @rx.event
    async def show(self):
        """The page is on screen (loaded or mounted again): keep a fresh code, once."""
        session = await self.get_state(SessionState)
        if not session.signed_in:
            self._shown = True  # the guard is sending the visitor to sign in
            return None
        return self._start(self._appear(LOOP))

    @rx.event
    def hide(self):
        """The page left the screen (perhaps only for a moment: see OnScreen)."""
        self._disappear(LOOP)

    @rx.event
    def new_code(self):
        """The customer wants a fresh code (after a scan, or when it paused)."""
        return self._start(self._appear(LOOP, restart=True))

    @rx.event(background=True)
    async def keep_fresh(self, run: int):
        """The loop: renew the code, and read its status when a hint (or the fallback) says so."""
        try:
            async with self:
                client = await api(self)
        except ApiError as err:
            async with self:
                self.active = False
                loop_ended(self, LOOP, run)
                return await refused(self, err)
        async with hints.watch(client.user_id) as watch:
            async with self:
                loop_started(self, LOOP, run, watch.nudge)
            try:
                return await self._run(run, watch)
            finally:
                async with self:
                    loop_ended(self, LOOP, run)

    async def _run(self, run: int, watch: hints.Watch):
        started = time.time()
        scanned_at = 0.0
        look = False
        next_fallback = 0.0
        while True:
            async with self:
                if not self._still_wanted(LOOP, run):
                    return None
                if self._hidden_for() > 0:
                    hidden = True
                else:
                    hidden = False
                    try:
                        client = await api(self)
                    except ApiError as err:
                        self.active = False
                        return await refused(self, err)
                token_id, expires, scanned = self._token_id, self._token_expires, self.scanned
                previous, previous_expires = self._previous_token_id, self._previous_expires
            now = time.time()
            if (scanned and now - scanned_at > WATCH_AFTER_SCAN_S) or (
                not scanned and now - started > SHOW_AT_MOST_S
            ):
                async with self:
                    self.active, self.paused = False, not scanned
                return None
            if hidden:  # off screen for now: no calls; it ends after the grace period
                woke = await watch.wait(HIDDEN_GRACE_S)
                look = look or woke  # a hint meanwhile is read once the page is back
                continue
            fallback_due = now >= next_fallback
            try:
                if not scanned and (not token_id or expires - now <= REFRESH_BEFORE_S):
                    await self._new_code(client, run)
                    if look:
                        continue  # a hint came too: read at once (the renewal went first)
                elif look or fallback_due:
                    next_fallback = now + self._fallback_s()
                    just_scanned = await self._look(client, token_id, run)
                    recent = previous and now < previous_expires + PREVIOUS_CODE_GRACE_S
                    if not just_scanned and not scanned and recent:
                        # The code replaced a moment ago can still have been scanned.
                        just_scanned = await self._look(client, previous, run)
                    if just_scanned:
                        scanned_at = time.time()
                    look = False
            except ApiError as err:
                async with self:
                    ended = await refused(self, err)
                    if ended is not None:
                        self.active = False
                        return ended
                    if err.status in (404, 410) and not self.scanned:
                        self._token_id = ""  # that code is gone: fetch a new one
                woke = await watch.wait(RETRY_AFTER_ERROR_S)
                look = look or woke  # a read that failed is tried again, as is a new hint
                continue
            if next_fallback == 0.0:
                next_fallback = time.time() + self._fallback_s()
            async with self:
                wake_at = next_fallback
                if not self.scanned:  # the renewal may come first (at once: no code left)
                    renew_at = self._token_expires - REFRESH_BEFORE_S if self._token_id else 0
                    wake_at = min(wake_at, renew_at)
            look = await watch.wait(wake_at - time.time())

    @staticmethod
    def _fallback_s() -> float:
        return FALLBACK_S if hints.listening() else FALLBACK_UNHEARD_S

    async def _new_code(self, client: ApiClient, run: int) -> None:
        answer = await client.post("/qr-tokens")
        qr = qr_data_uri(str(answer["token"]))
        life = int(answer.get("expires_in") or 60)
        async with self:
            if self._loop_run != run:
                return
            if self._token_id:
                self._previous_token_id, self._previous_expires = (
                    self._token_id,
                    self._token_expires,
                )
            self._token_id = str(answer["token_id"])
            # Count down on our own clock from `expires_in`, immune to clock skew.
            self._token_expires = time.time() + life
            self.code_life_s, self.code_serial = life, self.code_serial + 1
            self.short_code = str(answer.get("short_code", ""))
            self.qr_src = qr
            self.error = ""

    async def _look(self, client: ApiClient, token_id: str, run: int) -> bool:
        """Reads the code's status once; True when it has just been scanned."""
        answer = await client.get(f"/qr-tokens/{token_id}")
        status = answer.get("status")
        async with self:
            if self._loop_run != run:
                return False
            self.error = ""
            if status == "expired" and not self.scanned and token_id == self._token_id:
                self._token_id = ""  # the loop fetches a new code at once
                return False
            if status != "scanned":
                return False
            first = not self.scanned
            self.scanned, self._token_id = True, token_id
            self.scanned_message, self.balance_message = scan_messages(answer)
            return first

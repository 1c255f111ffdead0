"""A background loop that runs while its page is on screen, and survives React Strict Mode.

In development (`reflex run`) React mounts every component, unmounts it and mounts it
again, so a page's on_mount / on_unmount events arrive as appear, disappear, appear a few
milliseconds apart. A loop that stops at the first "disappear" never runs in dev. The rule:

- **Starting is idempotent.** `_appear(name)` (the page's on_load and on_mount) marks
  the screen shown and returns a new run id only when no loop of that name runs for this
  tab; otherwise it nudges the running one.
- **Stopping waits until the screen is really gone.** `_disappear(name)` (on_unmount)
  only marks it hidden and nudges the loop. The loop asks `_still_wanted(run)` whenever it
  wakes and ends once the screen has been hidden for `HIDDEN_GRACE_S` (a remount within
  it keeps it going), once the tab's websocket has been gone for `GONE_GRACE_S` (a closed
  tab sends no unmount), or when a newer run replaced it.

A state mixes in `OnScreen`; the loop calls `loop_started` / `loop_ended` around its
body. The registry of running loops is per process: a tab's events, and so its background
tasks, always reach the state server that holds its websocket.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import reflex as rx

HIDDEN_GRACE_S = 3.0  # Strict Mode remounts within milliseconds; navigation away is final
GONE_GRACE_S = 30.0  # a phone that drops its connection for a moment comes back
CLAIM_LIFE_S = 10.0  # a claimed loop that never started is forgotten after this
BEAT_LIFE_S = 300.0  # a started loop that stopped checking in is presumed dead after this


@dataclass
class _Loop:
    run: int
    claimed_at: float = field(default_factory=time.monotonic)
    beat: float | None = None  # set once the loop runs, refreshed at every wake
    wake: Callable[[], None] | None = None
    gone_since: float | None = None


_loops: dict[tuple[str, str], _Loop] = {}


def _alive(loop: _Loop) -> bool:
    now = time.monotonic()
    if loop.beat is None:
        return now - loop.claimed_at < CLAIM_LIFE_S
    return now - loop.beat < BEAT_LIFE_S


def client_connected(token: str) -> bool:
    """Whether the tab `token` has a websocket on this state server (True outside a server)."""
    app_module = sys.modules.get("epoint_ui.epoint_ui")
    namespace = getattr(getattr(app_module, "app", None), "event_namespace", None)
    if namespace is None:  # no running app (unit tests, the benchmark's driver)
        return True
    return token in namespace.token_to_sid


class OnScreen(rx.State, mixin=True):
    """Bookkeeping for one page's background loop (see the module docstring)."""

    _shown: bool = False
    _hidden_since: float = 0.0
    _loop_run: int = 0

    def _loop_key(self, name: str) -> tuple[str, str]:
        return (self.router.session.client_token, name)

    def _appear(self, name: str, *, restart: bool = False) -> int | None:
        """The page is on screen: a run id if a loop must start now, else None (one runs)."""
        self._shown = True
        key = self._loop_key(name)
        running = _loops.get(key)
        if running is not None and _alive(running) and not restart:
            if running.wake is not None:
                running.wake()
            return None
        self._loop_run += 1
        if running is not None and running.wake is not None:
            running.wake()  # the replaced loop notices it is no longer wanted
        _loops[key] = _Loop(self._loop_run)
        return self._loop_run

    def _disappear(self, name: str) -> None:
        """The page left the screen (maybe only for a Strict Mode remount)."""
        self._shown = False
        self._hidden_since = time.time()
        running = _loops.get(self._loop_key(name))
        if running is not None and running.wake is not None:
            running.wake()

    def _still_wanted(self, name: str, run: int) -> bool:
        """Asked by the loop at every wake (holding the state): go on, or end now."""
        key = self._loop_key(name)
        loop = _loops.get(key)
        if self._loop_run != run or loop is None or loop.run != run:
            return False
        loop.beat = time.monotonic()
        if not self._shown and time.time() - self._hidden_since > HIDDEN_GRACE_S:
            return False
        if client_connected(key[0]):
            loop.gone_since = None
        elif loop.gone_since is None:
            loop.gone_since = time.monotonic()
        elif time.monotonic() - loop.gone_since > GONE_GRACE_S:
            return False
        return True

    def _hidden_for(self) -> float:
        """Seconds the page has been off screen (0 while shown)."""
        return 0.0 if self._shown else max(0.0, time.time() - self._hidden_since)


def loop_started(state: OnScreen, name: str, run: int, wake: Callable[[], None]) -> None:
    """The loop is running: `wake` interrupts its waits when the screen comes or goes."""
    loop = _loops.get(state._loop_key(name))
    if loop is not None and loop.run == run:
        loop.beat = time.monotonic()
        loop.wake = wake


def loop_ended(state: OnScreen, name: str, run: int) -> None:
    """The loop has ended: a later appear starts a new one."""
    key = state._loop_key(name)
    loop = _loops.get(key)
    if loop is not None and loop.run == run:
        del _loops[key]


def running_loops() -> int:
    """How many loops this process runs (tests, the benchmark)."""
    return sum(1 for loop in _loops.values() if _alive(loop))

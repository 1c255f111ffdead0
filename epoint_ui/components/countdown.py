"""A countdown that ticks in the browser: the state server sends the start, not every second.

No loop on the state server keeps a page's clock: the page is told how many seconds are
left (and a `serial` that changes whenever it must start again), counts down on its own,
and calls `on_done` once when it reaches 0. The timer belongs to the component, so it
stops when the page goes (React clears it on unmount; under Strict Mode's mount ->
unmount -> mount in `reflex run` it simply starts again), and nothing is left running on
the server for a tab that is gone. Whoever handles `on_done` checks the time itself: the
browser only says when to look.
"""

from __future__ import annotations

import reflex as rx

_COUNTDOWN_JS = """
const EpointCountdown = ({ seconds, serial, onDone, silent }) => {
  const [left, setLeft] = useState(seconds);
  const done = useRef(onDone);
  done.current = onDone;
  useEffect(() => {
    const started = Date.now();
    setLeft(seconds);
    if (!(seconds > 0)) return undefined;
    const timer = setInterval(() => {
      const now = Math.max(0, seconds - Math.floor((Date.now() - started) / 1000));
      setLeft(now);
      if (now === 0) {
        clearInterval(timer);
        if (done.current) done.current();
      }
    }, 250);
    return () => clearInterval(timer);
  }, [seconds, serial]);
  return silent ? null : String(left);
};
"""


class Countdown(rx.Component):
    """Whole seconds left, from `seconds` at the moment `serial` last changed, down to 0."""

    tag = "EpointCountdown"
    seconds: rx.Var[int]
    serial: rx.Var[int]
    # Render nothing, only call `on_done` (a deadline the page acts on but does not show).
    silent: rx.Var[bool]
    on_done: rx.EventHandler[rx.event.no_args_event_spec]

    def add_imports(self) -> dict[str, list[rx.ImportVar]]:
        """React's hooks, for the custom code."""
        return {
            "react": [
                rx.ImportVar(tag="useState"),
                rx.ImportVar(tag="useEffect"),
                rx.ImportVar(tag="useRef"),
            ]
        }

    def add_custom_code(self) -> list[str]:
        """The component itself (a few lines of React, no package)."""
        return [_COUNTDOWN_JS]


countdown = Countdown.create

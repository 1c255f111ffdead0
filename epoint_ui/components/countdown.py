"""A countdown that ticks in the browser: the state server sends the start, not every second."""

from __future__ import annotations

import reflex as rx

_COUNTDOWN_JS = """
const EpointCountdown = ({ seconds, serial }) => {
  const [left, setLeft] = useState(seconds);
  useEffect(() => {
    const started = Date.now();
    setLeft(seconds);
    const timer = setInterval(() => {
      setLeft(Math.max(0, seconds - Math.floor((Date.now() - started) / 1000)));
    }, 1000);
    return () => clearInterval(timer);
  }, [seconds, serial]);
  return String(left);
};
"""


class Countdown(rx.Component):
    """Whole seconds left, from `seconds` at the moment `serial` last changed, down to 0."""

    tag = "EpointCountdown"
    seconds: rx.Var[int]
    serial: rx.Var[int]

    def add_imports(self) -> dict[str, list[rx.ImportVar]]:
        """React's hooks, for the custom code."""
        return {"react": [rx.ImportVar(tag="useState"), rx.ImportVar(tag="useEffect")]}

    def add_custom_code(self) -> list[str]:
        """The component itself (a few lines of React, no package)."""
        return [_COUNTDOWN_JS]


countdown = Countdown.create

"""The page's part of the HttpOnly session cookie (see `epoint_ui/session_cookie.py`).

The state server cannot set a cookie over the websocket, and it cannot run script in the
page either (Reflex's `call_script` needs `eval`, which the Content-Security-Policy
forbids). So this renders nothing and holds a React effect, compiled into the app's own
JavaScript: when `claim` is set it POSTs the claim to the state server's
`/session/claim` (the answer sets the cookie), when `end` is set it POSTs to
`/session/end` (the answer clears it); then it calls `on_done(ok)`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.event import EventChain, passthrough_event_spec
from reflex_base.utils.format import format_prop, wrap
from reflex_base.utils.imports import ImportVar
from reflex_base.vars import VarData

# A stuck request must not leave the user on a spinner: give up and carry on.
TIMEOUT_MS = 10_000


class SessionCookieStep(rx.Fragment):
    """Renders nothing; trades a sign-in claim for the cookie, or clears the cookie."""

    claim: rx.Var[str]
    end: rx.Var[bool]
    on_done: rx.EventHandler[passthrough_event_spec(bool)]

    def add_imports(self) -> dict[str, Any]:
        """React's effect hook and Reflex's backend URL (the same host as the websocket)."""
        return {
            "react": [ImportVar(tag="useEffect")],
            "$/utils/state": [ImportVar(tag="getBackendURL")],
            "$/env.json": [ImportVar(tag="env", alias="reflexEnv", is_default=True)],
        }

    def _exclude_props(self) -> list[str]:
        return [*super()._exclude_props(), "claim", "end", "on_done"]

    def add_hooks(self) -> list[str | rx.Var[str]]:
        """The effect that runs whenever `claim` or `end` changes."""
        on_done = self.event_triggers.get("on_done")
        if isinstance(on_done, EventChain):
            on_done = wrap(str(format_prop(on_done)).strip("{}"), "(")
        done = f"{on_done!s}" if on_done is not None else "(() => {})"
        return [
            rx.Var(
                f"""useEffect(() => {{
  const claim = {self.claim!s};
  const end = {self.end!s};
  if (!claim && !end) return;
  const url = getBackendURL(reflexEnv.PING);
  url.pathname = claim ? "/session/claim" : "/session/end";
  url.search = "";
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), {TIMEOUT_MS});
  fetch(url, {{
    method: "POST",
    credentials: "include",
    headers: {{"Content-Type": "application/json"}},
    body: JSON.stringify(claim ? {{claim}} : {{}}),
    signal: stop.signal,
  }})
    .then((answer) => answer.ok, () => false)
    .then((ok) => {{ clearTimeout(timer); ({done})(ok); }});
}}, [{self.claim!s}, {self.end!s}]);""",
                _var_type=str,
                # Brings in the state context the two values are read from.
                _var_data=VarData.merge(
                    self.claim._get_all_var_data(), self.end._get_all_var_data()
                ),
            )
        ]


session_cookie_step = SessionCookieStep.create

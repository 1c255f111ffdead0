"""Browser tabs without a browser: a tab's real UI states, their real event handlers.

What stands in for Reflex here is only the transport and the dispatcher: a `Tab` holds one
instance of each state class it opened (as Reflex keeps one per tab), answers their
`get_state`, and `fire`s an event handler the way Reflex would: it runs the handler and
then the events it returns or yields, a background one as its own asyncio task (Reflex's
`async with self` on a plain state is a no-op: the handlers run unchanged). Many tabs can
live in one process (the My code benchmark holds a thousand).
"""

from __future__ import annotations

import asyncio
import inspect
import uuid
from typing import Any

import reflex as rx
from reflex import constants

from epoint_ui.states.session import SessionState


class Tab:
    """One browser tab on `path`, signed in with the session `session_id`."""

    def __init__(self, session_id: str, path: str = "/") -> None:
        self.token = str(uuid.uuid4())
        self.path = path
        self.states: dict[type[rx.State], rx.State] = {}
        self.tasks: list[asyncio.Task[Any]] = []
        self.sent: list[Any] = []  # what handlers sent the page besides events (redirects...)
        session = self.open(SessionState)
        # Signed in on this very connection (README, "Sessions"): no cookie needed.
        session._session_id = session_id
        session._session_sid = session.router.session.session_id
        session.signed_in = True

    def open(self, state_cls: type[rx.State]) -> Any:
        """The tab's instance of `state_cls` (made on first use)."""
        if state_cls not in self.states:
            state = state_cls(_reflex_internal_init=True)
            state._update_router_vars(
                {
                    constants.RouteVar.PATH: self.path,
                    constants.RouteVar.ORIGIN: self.path,
                    constants.RouteVar.CLIENT_TOKEN: self.token,
                },
                {},
            )

            async def get_state(wanted: type[rx.State]) -> rx.State:
                return self.open(wanted)

            object.__setattr__(state, "get_state", get_state)
            self.states[state_cls] = state
        return self.states[state_cls]

    async def fire(self, handler: Any, *args: Any) -> None:
        """Run an event handler of one of the tab's states, then what it chains."""
        event = handler(*args) if args else handler()
        await self._dispatch(event)

    async def _dispatch(self, spec: Any) -> None:
        handler = spec.handler
        state = self._state_named(handler.state_full_name)
        kwargs = {name._js_expr: value._var_value for name, value in spec.args}
        if handler.is_background:
            self.tasks.append(asyncio.create_task(self._follow(handler.fn(state, **kwargs))))
            return
        await self._follow(handler.fn(state, **kwargs))

    async def _follow(self, outcome: Any) -> None:
        if inspect.isawaitable(outcome):
            outcome = await outcome
        if inspect.isasyncgen(outcome):
            async for update in outcome:
                await self._chain(update)
            return
        await self._chain(outcome)

    async def _chain(self, update: Any) -> None:
        for item in update if isinstance(update, list | tuple) else [update]:
            if item is None:
                continue
            handler = getattr(item, "handler", None)
            if handler is not None and getattr(handler, "state_full_name", ""):
                await self._dispatch(item)
            else:
                self.sent.append(item)

    def _state_named(self, full_name: str) -> rx.State:
        for state_cls, state in self.states.items():
            if state_cls.get_full_name() == full_name:
                return state
        raise KeyError(f"the tab has no open state {full_name}")

    async def close(self) -> None:
        """Cancel the tab's background tasks (the server going away)."""
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

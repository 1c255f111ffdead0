"""The load-one-resource pattern of the customer pages: spinner, error sentence, sign-out."""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui.api import ApiError
from epoint_ui.states.session import SessionState, api


class PageLoad(rx.State, mixin=True):
    """A page that shows one API resource: `loading` while it comes, `error` if it failed.

    A state mixes this in, defines `_show(answer)` and calls `_fetch(path)` from its load
    event (`async for update in self._fetch(...): yield update`).
    """

    loaded: bool = False
    loading: bool = False
    error: str = ""

    def _show(self, answer: dict[str, Any]) -> None:
        raise NotImplementedError

    async def _fetch(self, path: str, params: dict[str, Any] | None = None):
        """GETs `path` for the signed-in visitor and shows it; yields the page's updates."""
        session = await self.get_state(SessionState)
        if not session.signed_in:
            return
        self.loading, self.error = True, ""
        yield
        try:
            answer = await (await api(self)).get(path, params)
        except ApiError as err:
            self.error = err.message
            if err.signed_out:
                yield SessionState.end_session
            return
        finally:
            self.loading = False
        self._show(answer)
        self.loaded = True

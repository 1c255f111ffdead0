"""How a state calls the API: one helper, so every page fails the same way.

An event handler hands `call_api` the work to do with the signed-in user's client:

    async for update in call_api(self, save, working="saving"):
        yield update

and `call_api` does what every call needs: the working flag (spinner, disabled button)
while it runs, the ApiError's sentence in the state's error field when it fails, and on
a dead session (401) the user sent to sign in with "Your session has ended", then back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient, ApiError
from epoint_ui.states.session import SessionState, api, end_session

Work = Callable[[ApiClient], Awaitable[Any]]


async def call_api(
    state: rx.State,
    work: Work,
    *,
    working: str = "",
    busy: Any = True,
    error: str = "error",
    problems: Mapping[str, str] | None = None,
    on_error: Callable[[ApiError], str] | None = None,
) -> AsyncIterator[Any]:
    """Runs `work(client)` as the user signed in to `state`'s browser; yields the page's updates.

    - `working` names the flag set to `busy` (True, or e.g. the row's id) while the call
      runs; it is sent to the page before the call and reset (False or "") after it.
    - `error` names the field that gets the failure's sentence (emptied as the call starts).
    - `problems`: sentences by the API's error code, said instead of the API's own.
    - `on_error(exc)`, for a failure that changes more than a sentence (a key kept for a
      retry, a visit marked expired): does that and returns the sentence ("" for none).
    - `work` may return an event (a redirect, a follow-up handler) to send once it succeeded.

    A signed-out visitor (the page guard is already sending them to sign in) calls nothing.
    """
    session = await state.get_state(SessionState)
    if not session.signed_in:
        return
    setattr(state, error, "")
    if working:
        setattr(state, working, busy)
        yield
    try:
        followup = await work(await api(state))
    except ApiError as exc:
        followup = await refused(state, exc, error=error, problems=problems, on_error=on_error)
    finally:
        if working:
            setattr(state, working, type(busy)())
    if followup is not None:
        yield followup


async def refused(
    state: rx.State,
    exc: ApiError,
    *,
    error: str = "error",
    problems: Mapping[str, str] | None = None,
    on_error: Callable[[ApiError], str] | None = None,
) -> Any:
    """What a failed call does to the page: a 401 ends the session, anything else is a sentence.

    Returns the redirect to sign in when the session ended (the caller sends it), else None.
    For loops that hold their client themselves (My code); handlers use `call_api`.
    """
    if exc.signed_out:
        return await end_session(state)
    sentence = on_error(exc) if on_error else (problems or {}).get(exc.code, exc.message)
    setattr(state, error, sentence)
    return None

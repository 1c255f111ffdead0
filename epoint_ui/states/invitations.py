"""Invitations to join a business's staff, as the invited person answers them.

Two ways in: the list on the businesses page (`/merchant`: every invitation waiting for my
email), and the link in the invitation email (`/invitation?token=...`: one invitation).
Accepting makes the business the one I work on and opens its till; declining removes the
invitation. Nobody becomes staff any other way (invariant 10).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.states.api_call import call_api
from epoint_ui.states.merchant import HOME, PAGE, MerchantState

ANSWER_PROBLEMS = {
    "not_found": "This invitation is no longer open: it was answered or cancelled, or it was "
    "sent to another email address than the one you signed in with.",
    "already_staff": "You already work there.",
}


def _shown(item: dict[str, Any]) -> dict[str, str]:
    return {
        "token": str(item.get("token", "")),
        "merchant_id": str(item.get("merchant_id", "")),
        "merchant_name": str(item.get("merchant_name", "")),
        "invited_by": str(item.get("invited_by", "")),
        "expires": str(item.get("expires_at", ""))[:10],
    }


class InvitationsState(rx.State):
    """Invitations waiting for my answer."""

    invitations: list[dict[str, str]] = []
    cursor: str = ""
    # The one invitation the emailed link names (the /invitation page).
    invitation: dict[str, str] = {}
    answering: str = ""
    error: str = ""
    notice: str = ""

    @rx.var
    def has_invitation(self) -> bool:
        """Whether the link named an open invitation to me."""
        return bool(self.invitation.get("token"))

    async def _fetch(self, client: ApiClient) -> None:
        page = await client.get("/me/invitations", {"limit": PAGE})
        self.invitations = [_shown(i) for i in page.get("items", [])]
        self.cursor = page.get("next_cursor") or ""

    @rx.event
    async def load(self):
        """The invitations waiting for me (the first page)."""
        self.notice = ""
        async for update in call_api(self, self._fetch):
            yield update

    @rx.event
    async def load_more(self):
        """The next page of invitations, below the ones shown."""

        async def more(client: ApiClient) -> None:
            page = await client.get("/me/invitations", {"limit": PAGE, "cursor": self.cursor})
            self.invitations = self.invitations + [_shown(i) for i in page.get("items", [])]
            self.cursor = page.get("next_cursor") or ""

        async for update in call_api(self, more):
            yield update

    @rx.event
    async def open_link(self):
        """The invitation page: the invitation the link's token names, if it is mine."""
        token = self.router.url.query_parameters.get("token", "")
        self.invitation, self.notice = {}, ""

        async def fetch(client: ApiClient) -> None:
            self.invitation = _shown(await client.get(f"/invitations/{token}"))

        if not token:
            self.error = ANSWER_PROBLEMS["not_found"]
            return
        async for update in call_api(self, fetch, problems=ANSWER_PROBLEMS):
            yield update

    @rx.event
    async def accept(self, token: str):
        """Joins the business's staff and opens its till."""

        async def send(client: ApiClient):
            joined = await client.post(f"/invitations/{token}/accept")
            merchant = await self.get_state(MerchantState)
            await merchant._adopt(client, joined)
            return rx.redirect(f"{HOME}/scan")

        async for update in call_api(
            self, send, working="answering", busy=token, problems=ANSWER_PROBLEMS
        ):
            yield update

    @rx.event
    async def decline(self, token: str):
        """Says no: the invitation is gone."""
        name = next(
            (i["merchant_name"] for i in self.invitations if i["token"] == token),
            self.invitation.get("merchant_name", "the business"),
        )

        async def send(client: ApiClient) -> None:
            await client.post(f"/invitations/{token}/decline")
            self.invitation = {}
            await self._fetch(client)
            self.notice = f"You declined the invitation from {name}."

        async for update in call_api(
            self, send, working="answering", busy=token, problems=ANSWER_PROBLEMS
        ):
            yield update

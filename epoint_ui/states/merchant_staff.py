"""The owner's staff page: who works here, the invitations waiting, and inviting someone.

Nobody joins without saying yes (invariant 10): the owner invites an email address, and the
person who signs in with it accepts or declines. The API answers an invitation the same way
whether or not anyone uses that address yet, so this page never says whether they do.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.states.api_call import call_api
from epoint_ui.states.merchant import MerchantState
from loyalty import forms

STAFF_PROBLEMS = {
    "already_staff": "That is your own email: you own this business already.",
    "already_invited": "An invitation to that email is already waiting. Cancel it below to send a new one.",
    "cannot_remove_owner": "The owner cannot be removed.",
}


class MerchantStaffState(rx.State):
    """Who may scan and see the ledger for the current business, and who is invited to."""

    staff: list[dict[str, Any]] = []
    invitations: list[dict[str, str]] = []
    email: str = ""
    adding: bool = False
    removing: str = ""
    error: str = ""
    notice: str = ""

    async def _path(self, what: str = "staff") -> str:
        merchant = await self.get_state(MerchantState)
        return f"/merchants/{merchant.merchant_id}/{what}"

    async def _fetch(self, client: ApiClient) -> None:
        answer = await client.get(await self._path())
        self.staff = [
            {
                "user_id": str(s.get("user_id", "")),
                "name": str(s.get("display_name") or s.get("email") or ""),
                "email": str(s.get("email", "")),
                "role": str(s.get("role", "staff")),
            }
            for s in answer.get("staff", [])
        ]
        waiting = await client.get(await self._path("invitations"))
        self.invitations = [
            {
                "invitation_id": str(i.get("invitation_id", "")),
                "email": str(i.get("email", "")),
                "expires": str(i.get("expires_at", ""))[:10],
            }
            for i in waiting.get("invitations", [])
        ]

    @rx.event
    async def load(self):
        """Fetches the staff and the invitations waiting for an answer."""
        self.notice = ""
        async for update in call_api(self, self._fetch):
            yield update

    @rx.event
    def set_email(self, value: str):
        """Edits the email of the person to invite."""
        self.email = value

    @rx.event
    async def add(self):
        """Invites the person with that email; they join once they accept."""
        self.error = self.notice = ""
        email, problem = forms.email_address(self.email)
        if problem:
            self.error = problem
            return

        async def send(client: ApiClient) -> None:
            await client.post(await self._path("invitations"), {"email": email})
            await self._fetch(client)
            self.notice = (
                f"Invitation sent to {email}. They join your staff once they accept it "
                "(with no ePoint account yet, they sign up with this email first)."
            )
            self.email = ""

        async for update in call_api(self, send, working="adding", problems=STAFF_PROBLEMS):
            yield update

    @rx.event
    async def cancel(self, invitation_id: str):
        """Takes an invitation back; its link stops working."""
        self.notice = ""

        async def send(client: ApiClient) -> None:
            await client.delete(f"{await self._path('invitations')}/{invitation_id}")
            await self._fetch(client)
            self.notice = "Invitation cancelled. Its link no longer works."

        async for update in call_api(
            self, send, working="removing", busy=invitation_id, problems=STAFF_PROBLEMS
        ):
            yield update

    @rx.event
    async def remove(self, user_id: str):
        """Removes one staff member; they lose access at once."""
        self.notice = ""

        async def send(client: ApiClient) -> None:
            await client.delete(f"{await self._path()}/{user_id}")
            await self._fetch(client)
            self.notice = "Removed. They can no longer act for this business."

        async for update in call_api(
            self, send, working="removing", busy=user_id, problems=STAFF_PROBLEMS
        ):
            yield update

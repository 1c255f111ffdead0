"""The owner's staff list: add an existing ePoint user by email, remove one."""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.states.api_call import call_api
from epoint_ui.states.merchant import MerchantState

STAFF_PROBLEMS = {
    "not_found": "No ePoint account uses that email. Ask them to sign up first, then add them.",
    "already_staff": "That person already works here.",
    "cannot_remove_owner": "The owner cannot be removed.",
}


class MerchantStaffState(rx.State):
    """Who may scan and see the ledger for the current business."""

    staff: list[dict[str, Any]] = []
    email: str = ""
    adding: bool = False
    removing: str = ""
    error: str = ""
    notice: str = ""

    async def _path(self) -> str:
        merchant = await self.get_state(MerchantState)
        return f"/merchants/{merchant.merchant_id}/staff"

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

    @rx.event
    async def load(self):
        """Fetches the staff list."""
        self.notice = ""
        async for update in call_api(self, self._fetch):
            yield update

    @rx.event
    def set_email(self, value: str):
        """Edits the email of the person to add."""
        self.email = value

    @rx.event
    async def add(self):
        """Adds the person with that email as staff."""
        email = self.email.strip()
        self.error = self.notice = ""
        if "@" not in email:
            self.error = "Enter the email address they use to sign in to ePoint."
            return

        async def send(client: ApiClient) -> None:
            await client.post(await self._path(), {"email": email})
            await self._fetch(client)
            self.notice = f"{email} can now scan customers and see the ledger."
            self.email = ""

        async for update in call_api(self, send, working="adding", problems=STAFF_PROBLEMS):
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

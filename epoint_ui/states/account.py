"""Your account as a whole, from Profile: download everything we hold, or delete it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import reflex as rx

from epoint_ui import auth, my_data
from epoint_ui.api import ApiClient, ApiError
from epoint_ui.states.api_call import call_api
from epoint_ui.states.session import account_deleted, reauthenticate

# DELETE /me answers 202 while it works through a long history; each call is a few seconds.
MAX_DELETE_CALLS = 60
DELETE_PROBLEMS = {
    "reauthentication_required": "Enter your password again to confirm it is you.",
}


class AccountState(rx.State):
    """Download my data and delete my account."""

    owned: list[str] = []  # businesses the person owns: they must hand them over first
    downloading: str = ""  # "json" or "csv" while the file is being built
    download_error: str = ""
    confirm_delete: bool = False
    deleting: bool = False
    delete_error: str = ""

    async def _roles(self, client: ApiClient) -> None:
        owned, cursor = [], None
        while True:
            mine = await client.get("/me/merchants", {"limit": 100, "cursor": cursor})
            owned += [
                str(m.get("name", "")) for m in mine.get("items", []) if m.get("role") == "owner"
            ]
            cursor = mine.get("next_cursor")
            if not cursor:
                break
        self.owned = owned

    @rx.event
    async def load(self):
        """Profile opens: does the person own a business (then deleting must wait)?"""
        self.confirm_delete = False
        self.download_error = self.delete_error = ""
        async for update in call_api(self, self._roles, error="delete_error"):
            yield update

    @rx.event
    async def download(self, kind: str):
        """The person asks for their data: every page of the export, as JSON or the ledger as CSV."""
        if self.downloading:
            return
        kind = "csv" if kind == "csv" else "json"

        async def build(client: ApiClient) -> Any:
            document = await my_data.collect(lambda params: client.get("/me/export", params))
            now = datetime.now(UTC)
            if kind == "csv":
                return rx.download(
                    data=my_data.ledger_csv(document),
                    filename=f"epoint-ledger-{now:%Y-%m-%d}.csv",
                    mime_type="text/csv",
                )
            return rx.download(
                data=my_data.as_json(document, now.strftime("%Y-%m-%dT%H:%M:%SZ")),
                filename=f"epoint-data-{now:%Y-%m-%d}.json",
                mime_type="application/json",
            )

        async for update in call_api(
            self, build, working="downloading", busy=kind, error="download_error"
        ):
            yield update

    @rx.event
    def ask_delete(self):
        """The person opens the deletion form (it asks for their password)."""
        self.confirm_delete = True
        self.delete_error = ""

    @rx.event
    def cancel_delete(self):
        """The person changes their mind."""
        self.confirm_delete = False
        self.delete_error = ""

    @rx.event
    async def delete_account(self, form: dict[str, Any]):
        """The person confirms with their password: the account and its data go, for good."""
        password = str(form.get("password", ""))
        if not password:
            self.delete_error = "Enter your password to confirm."
            return
        if self.deleting:
            return

        async def delete(_: ApiClient) -> Any:
            try:
                fresh = await reauthenticate(self, password)
            except auth.AuthError as exc:
                raise ApiError(exc.message, code=exc.code) from exc
            client = ApiClient(fresh.access_token)
            for _ in range(MAX_DELETE_CALLS):
                answer = await client.delete("/me")
                if answer.get("status") == "deleted":
                    return await account_deleted(self)  # the cookie step, then "/"
            raise ApiError(
                "Deleting is taking longer than usual. Enter your password again to continue.",
                code="in_progress",
            )

        async for update in call_api(
            self, delete, working="deleting", error="delete_error", problems=DELETE_PROBLEMS
        ):
            yield update

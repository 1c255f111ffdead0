"""Claim points: the customer types a receipt's code, and its purchase's points land on
their card at that business.

Never twice: the claim carries an Idempotency-Key, kept after a failure the API may have
acted on (no answer, a server error) so trying again resends it, and replaced after a
definite answer.
"""

from __future__ import annotations

import reflex as rx

from epoint_ui.api import ApiClient, ApiError, new_idempotency_key
from epoint_ui.states.api_call import call_api
from loyalty import claim_codes, forms

CLAIM_PROBLEMS = {
    "not_found": "No receipt has this code. Check it against the receipt and try again.",
    "claim_code_used": "This code was already claimed: each receipt's points can be claimed once.",
}


class ClaimState(rx.State):
    """The typed code and what claiming it did."""

    code: str = ""
    key: str = ""
    claiming: bool = False
    error: str = ""
    claimed: str = ""  # what landed where, after a claim

    @rx.event
    def load(self):
        """The page opens empty, ready for a code."""
        self.code = self.error = self.claimed = ""
        self.key = new_idempotency_key()

    @rx.event
    def set_code(self, value: str):
        """The customer types the code; a different code is a new claim (new key)."""
        if claim_codes.normalize(value) != claim_codes.normalize(self.code):
            self.key = new_idempotency_key()
        self.code = value
        self.error = ""

    @rx.event
    async def claim(self, form: dict[str, str]):
        """Claims the receipt's points."""
        if self.claiming:
            return
        typed = form.get("code", self.code)
        code, problem = forms.claim_code(typed)
        if code is None:
            self.error, self.claimed = problem or "", ""
            return
        self.code = typed
        key = self.key or new_idempotency_key()

        async def send(client: ApiClient) -> None:
            result = await client.post("/claims", {"code": code}, idempotency_key=key)
            tx = result.get("transaction") or {}
            points = int(tx.get("points", 0))
            self.claimed = (
                f"{points} point{'' if points == 1 else 's'} at {tx.get('merchant_name', '')}. "
                f"Your balance there is {int(result.get('balance', 0))}."
            )
            self.code = ""
            self.key = new_idempotency_key()

        def refused(exc: ApiError) -> str:
            if exc.status is not None and exc.status < 500:
                self.key = new_idempotency_key()  # a definite answer: the next try is new
            return CLAIM_PROBLEMS.get(exc.code, exc.message)

        self.claimed = ""
        async for update in call_api(self, send, working="claiming", on_error=refused):
            yield update

"""The owner's rewards catalogue: add, edit, retire (retired rewards stay in the history)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.states.api_call import call_api
from epoint_ui.states.merchant import MerchantState
from loyalty import forms


def _row(reward: dict[str, Any]) -> dict[str, Any]:
    return {
        "reward_id": str(reward.get("reward_id", "")),
        "name": str(reward.get("name", "")),
        "description": str(reward.get("description") or ""),
        "cost_points": int(reward.get("cost_points", 0)),
        "min_tier": str(reward.get("min_tier") or ""),
        "active": bool(reward.get("active", True)),
    }


class MerchantRewardsState(rx.State):
    """The catalogue, and the add/edit form (editing when `editing_id` is set)."""

    rewards: list[dict[str, Any]] = []
    editing_id: str = ""
    form_name: str = ""
    form_description: str = ""
    form_cost: str = ""
    form_min_tier: str = ""  # "" = every customer
    tier_names: list[str] = []  # the business's tiers, for "who may redeem it"
    saving: bool = False
    busy_id: str = ""
    error: str = ""
    form_error: str = ""
    notice: str = ""

    @rx.var
    def active_rewards(self) -> list[dict[str, Any]]:
        """Rewards customers can redeem now."""
        return [r for r in self.rewards if r["active"]]

    @rx.var
    def retired_rewards(self) -> list[dict[str, Any]]:
        """Rewards no longer offered (kept so old transactions still name them)."""
        return [r for r in self.rewards if not r["active"]]

    async def _path(self) -> str:
        merchant = await self.get_state(MerchantState)
        return f"/merchants/{merchant.merchant_id}/rewards"

    async def _fetch(self, client: ApiClient) -> None:
        merchant = await self.get_state(MerchantState)
        self.tier_names = [str(t.get("name", "")) for t in merchant.business.get("tiers") or []]
        answer = await client.get(await self._path(), {"include_retired": "true"})
        self.rewards = [_row(r) for r in answer.get("rewards", [])]

    @rx.event
    async def load(self):
        """Fetches the catalogue, retired rewards included."""
        async for update in call_api(self, self._fetch):
            yield update

    @rx.event
    def set_form_name(self, value: str):
        """Edits the reward's name."""
        self.form_name = value

    @rx.event
    def set_form_description(self, value: str):
        """Edits the reward's description."""
        self.form_description = value

    @rx.event
    def set_form_cost(self, value: str):
        """Edits the reward's cost in points."""
        self.form_cost = value

    @rx.event
    def set_form_min_tier(self, value: str):
        """Chooses the tier a reward is for ("" for every customer)."""
        self.form_min_tier = value

    @rx.event
    def edit(self, reward_id: str):
        """Loads one reward into the form for editing."""
        reward = next((r for r in self.rewards if r["reward_id"] == reward_id), None)
        if reward is not None:
            self.editing_id = reward_id
            self.form_name = reward["name"]
            self.form_description = reward["description"]
            self.form_cost = str(reward["cost_points"])
            self.form_min_tier = reward["min_tier"]
            self.form_error = self.notice = ""

    @rx.event
    def cancel_edit(self):
        """Empties the form (back to adding a new reward)."""
        self.editing_id = self.form_name = self.form_description = self.form_cost = ""
        self.form_min_tier = self.form_error = ""

    @rx.event
    async def save(self):
        """Adds the reward in the form, or saves the one being edited."""
        self.form_error = self.notice = ""
        name, name_problem = forms.reward_name(self.form_name)
        description, description_problem = forms.description(self.form_description)
        cost, cost_problem = forms.reward_cost(self.form_cost)
        tier, tier_problem = forms.min_tier(self.form_min_tier, self.tier_names)
        self.form_error = name_problem or description_problem or cost_problem or tier_problem or ""
        if self.form_error:
            return
        body = {
            "name": name,
            "description": description,
            "cost_points": cost,
            "min_tier": tier or None,  # None: every customer (and, editing, no tier any more)
        }

        async def send(client: ApiClient) -> None:
            path = await self._path()
            if self.editing_id:
                await client.patch(f"{path}/{self.editing_id}", body)
                self.notice = f"{body['name']} saved."
            else:
                await client.post(path, body)
                self.notice = f"{body['name']} added: customers can redeem it for {cost} points."
            await self._fetch(client)
            self.editing_id = self.form_name = self.form_description = self.form_cost = ""
            self.form_min_tier = ""

        async for update in call_api(self, send, working="saving", error="form_error"):
            yield update

    async def _set_active(self, reward_id: str, active: bool):
        self.notice = ""

        async def send(client: ApiClient) -> None:
            path = f"{await self._path()}/{reward_id}"
            changed = (
                await client.patch(path, {"active": True}) if active else await client.delete(path)
            )
            self.rewards = [
                _row(changed) if r["reward_id"] == reward_id and changed else r
                for r in self.rewards
            ]
            if not changed:
                self.rewards = [
                    {**r, "active": active} if r["reward_id"] == reward_id else r
                    for r in self.rewards
                ]

        async for update in call_api(self, send, working="busy_id", busy=reward_id):
            yield update

    @rx.event
    async def retire(self, reward_id: str):
        """Stops offering a reward; past redemptions still show its name."""
        async for update in self._set_active(reward_id, False):
            yield update

    @rx.event
    async def restore(self, reward_id: str):
        """Offers a retired reward again."""
        async for update in self._set_active(reward_id, True):
            yield update

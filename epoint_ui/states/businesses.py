"""The business directory: who takes ePoint, by category, with rewards and earning rules."""

from __future__ import annotations

import dataclasses

import reflex as rx

from epoint_ui.api import ApiClient
from epoint_ui.states.api_call import call_api
from epoint_ui.states.reader import reader
from epoint_ui.states.views import Business, business, category_label


@dataclasses.dataclass
class CategoryGroup:
    """The businesses of one category."""

    name: str = ""
    businesses: list[Business] = dataclasses.field(default_factory=list)


class BusinessesState(rx.State):
    """The directory."""

    groups: list[CategoryGroup] = []
    category: str = ""
    loaded: bool = False
    loading: bool = False
    error: str = ""

    async def _fetch(self, client: ApiClient) -> None:
        answer = await client.get("/merchants", {"category": self.category, "limit": 100})
        groups: dict[str, CategoryGroup] = {}
        shown = await reader(self)
        for m in answer.get("items", []):
            label = category_label(str(m.get("category", "other")))
            entry = business(m, shown)
            groups.setdefault(label, CategoryGroup(name=label)).businesses.append(entry)
        self.groups = [groups[name] for name in sorted(groups)]
        self.loaded = True

    @rx.event
    async def load(self):
        """The customer opens the directory (or changes the category)."""
        async for update in call_api(self, self._fetch, working="loading"):
            yield update

    @rx.event
    async def choose_category(self, category: str):
        """The customer filters by one category (or all)."""
        self.category = category
        return BusinessesState.load

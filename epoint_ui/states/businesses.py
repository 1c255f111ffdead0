"""The business directory: who takes ePoint, by category, with rewards and earning rules."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from epoint_ui.states.page_load import PageLoad
from epoint_ui.states.views import Business, business, category_label


@dataclasses.dataclass
class CategoryGroup:
    """The businesses of one category."""

    name: str = ""
    businesses: list[Business] = dataclasses.field(default_factory=list)


class BusinessesState(PageLoad, rx.State):
    """The directory."""

    groups: list[CategoryGroup] = []
    category: str = ""

    @rx.event
    async def load(self):
        """The customer opens the directory (or changes the category)."""
        async for update in self._fetch("/merchants", {"category": self.category, "limit": 100}):
            yield update

    def _show(self, answer: dict[str, Any]) -> None:
        groups: dict[str, CategoryGroup] = {}
        for m in answer.get("items", []):
            label = category_label(str(m.get("category", "other")))
            groups.setdefault(label, CategoryGroup(name=label)).businesses.append(business(m))
        self.groups = [groups[name] for name in sorted(groups)]

    @rx.event
    async def choose_category(self, category: str):
        """The customer filters by one category (or all)."""
        self.category = category
        return BusinessesState.load

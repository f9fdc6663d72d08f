"""The audit trail from Teams: a case's history, a page at a time."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..audit import Entry, entry
from ..errors import InvalidInput
from ..model import Actor
from .writer import Writer

PAGE_SIZE = 10


@dataclass(frozen=True)
class HistoryPage:
    number: int
    entries: list[Entry]
    page: int
    pages: int
    total: int


class Audit:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps

    async def case_history(self, actor: Actor, number: int, page: int = 1) -> HistoryPage:
        """Who did what and when on a case (refusals included), newest first."""
        if page < 1:
            raise InvalidInput({"page": "Pages start at 1."})
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            await self.w.load(uow, access, number, "history")
            total = await uow.events.count(number)
            pages = max(1, math.ceil(total / PAGE_SIZE))
            if page > pages:
                raise InvalidInput({"page": f"Case {number} has {pages} page"
                                            f"{'s' if pages != 1 else ''} of history."})
            events = await uow.events.history(number, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        return HistoryPage(number, [entry(e, self.d.ref) for e in events], page, pages, total)

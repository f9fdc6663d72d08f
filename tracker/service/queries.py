"""Read-only use cases: one case, lists, history. Every one is scoped to what the asker may see."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import NotFound
from ..model import Actor, Case
from ..permissions import Access
from ..ports import CaseFilter, EventRecord
from .writer import Writer


@dataclass(frozen=True)
class Page:
    items: list[EventRecord]
    offset: int
    total: int


class Queries:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps

    async def get_case(self, actor: Actor, number: int) -> Case:
        async with self.w.unit(read_only=True) as uow:
            access = await self.w.access_in(uow, actor)
            return await self.w.load(uow, access, number, "view")

    async def peek(self, number: int) -> Case:
        """For system work (rendering a card to deliver): no actor, no checks."""
        async with self.w.unit(read_only=True) as uow:
            case = await uow.cases.get(number)
            if case is None:
                raise NotFound(number)
            return case

    def scopes(self, access: Access) -> list:
        return [g.scope for g in access.grants]

    async def list_cases(
        self, actor: Actor, locality: str = "", limit: int = 20, open_only: bool = True
    ) -> tuple[list[Case], int]:
        async with self.w.unit(read_only=True) as uow:
            access = await self.w.access_in(uow, actor)
            self.w.require(access, "view")
            flt = CaseFilter(scopes=self.scopes(access), open_only=open_only,
                             locality=self.d.ref.locality(locality).key if locality else "",
                             limit=limit)
            return await uow.cases.list(flt), await uow.cases.count(flt)

    async def history(
        self, actor: Actor, number: int, offset: int = 0, limit: int = 10
    ) -> Page:
        async with self.w.unit(read_only=True) as uow:
            access = await self.w.access_in(uow, actor)
            await self.w.load(uow, access, number, "history")
            items = await uow.events.history(number, offset, limit)
            return Page(items, offset, await uow.events.count(number))

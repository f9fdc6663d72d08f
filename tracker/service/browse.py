"""The tab's read-only views: the tracker table with filters, and the statistics. Scoped like
`cases` and `export`: only cases the asker's roles that may view them cover, filtered in SQL."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import InvalidInput
from ..export import export_row
from ..model import Actor, Case
from ..permissions import Access, ScopeKind
from ..ports import CaseFilter, Person, UnitOfWork
from ..statistics import Figures, Period, figures_from
from .writer import Writer

STATS_MAX = 50_000  # cases read for one period's figures
EXPORT_PAGE = 500


@dataclass(frozen=True)
class Areas:
    """The ICBs and regions the asker may choose in the tab's filters (keys)."""

    localities: tuple[str, ...]
    regions: tuple[str, ...]


class Browse:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps

    def _view_scopes(self, access: Access) -> list:
        allowed = self.d.ref.permissions["view"]
        return [g.scope for g in access.grants if g.role in allowed]

    async def _scoped(self, uow: UnitOfWork, actor: Actor, flt: CaseFilter) -> CaseFilter:
        access = await self.w.access_in(uow, actor)
        self.w.require(access, "view")
        return replace(flt, scopes=self._view_scopes(access))

    async def browse(self, actor: Actor, flt: CaseFilter) -> tuple[list[Case], int]:
        """One page of the cases `flt` picks, within what the asker may see, and the total."""
        async with self.w.unit() as uow:
            flt = await self._scoped(uow, actor, flt)
            return await uow.cases.list(flt), await uow.cases.count(flt)

    async def export_view(self, actor: Actor, flt: CaseFilter) -> list[list[str]]:
        """The filtered view as national tracker rows (all pages), for the roles that may
        export; recorded as an export, like `export`."""
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            self.w.require(access, "export")
            allowed = self.d.ref.permissions["export"]
            flt = replace(flt, scopes=[g.scope for g in access.grants if g.role in allowed],
                          limit=EXPORT_PAGE, offset=0)
            cases: list[Case] = []
            while len(cases) < STATS_MAX:
                page = await uow.cases.list(flt)
                cases += page
                if len(page) < EXPORT_PAGE:
                    break
                flt = replace(flt, offset=flt.offset + EXPORT_PAGE)
            await self.w.record(uow, actor, None, "exported", {
                "what": "tracker exported from the tab", "locality": flt.locality or "all in scope",
                "cases": len(cases)})
            await uow.commit()
        return [export_row(c, self.d.ref) for c in cases]

    async def people_seen(self) -> list[Person]:
        """Everyone the bot has met, by name: only for the local try-out's picker."""
        async with self.w.unit() as uow:
            return await uow.directory.people()

    async def areas(self, actor: Actor) -> Areas:
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            self.w.require(access, "view")
            scopes = self._view_scopes(access)
        locs = self.d.ref.localities
        if any(s.kind is ScopeKind.NATIONAL for s in scopes):
            keys = set(locs)
        else:
            regions = {s.key for s in scopes if s.kind is ScopeKind.REGION}
            keys = {k for k, loc in locs.items() if loc.region in regions}
            keys |= {s.key for s in scopes if s.kind is ScopeKind.LOCALITY}
        ordered = tuple(sorted(keys, key=lambda k: locs[k].name if k in locs else k))
        return Areas(ordered, tuple(sorted({locs[k].region for k in ordered if k in locs})))

    async def statistics(self, actor: Actor, period: Period, locality: str = "",
                         region: str = "") -> Figures:
        """The figures for an ICB or a region (or everything in scope) and a period. Counts
        only cases the asker may see: the scope filter is part of every query."""
        if locality and region:
            raise InvalidInput({"area": "Choose an ICB or a region, not both."})
        area = CaseFilter(open_only=False, locality=locality, region=region, limit=STATS_MAX)
        async with self.w.unit() as uow:
            area = await self._scoped(uow, actor, area)
            rows = await uow.cases.period_rows(
                replace(area, created_from=period.start_at, created_before=period.end_at),
                replace(area, closed_only=True, closed_from=period.start,
                        closed_before=period.end))
            late = await uow.cases.count_by_locality(
                replace(area, open_only=True, due_before=self.d.today()))
        return figures_from(rows, late, self.d.ref)

"""Export of the tracker records, scoped to where the asker holds a role that may export."""

from __future__ import annotations

from ..export import export_row
from ..model import Actor
from ..ports import CaseFilter
from .writer import Writer

PAGE = 200


class Export:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps

    async def check_export(self, actor: Actor, locality: str = "") -> str:
        """Refuse early (before a link is made) unless `actor` may export; the locality key."""
        await self.w.check(actor, "export")
        return self.d.ref.locality(locality).key if locality.strip() else ""

    async def export_records(self, actor: Actor, locality: str = "") -> list[list[str]]:
        """Every case (open and closed) the asker may export, oldest first, one row each.

        Checked again at download time, so a role removed since the link was made counts.
        """
        key = self.d.ref.locality(locality).key if locality.strip() else ""
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            self.w.require(access, "export")
            allowed = self.d.ref.permissions["export"]
            scopes = [g.scope for g in access.grants if g.role in allowed]
            cases = []
            offset = 0
            while True:
                page = await uow.cases.list(CaseFilter(scopes=scopes, open_only=False,
                                                       locality=key, limit=PAGE, offset=offset))
                cases += page
                if len(page) < PAGE:
                    break
                offset += PAGE
            await self.w.record(uow, actor, None, "exported", {
                "what": "tracker exported", "locality": key or "all in scope",
                "cases": len(cases)})
            await uow.commit()
        cases.sort(key=lambda c: c.number)
        return [export_row(c, self.d.ref) for c in cases]

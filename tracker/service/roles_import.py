"""Importing role holders from a CSV (run by an administrator with `sgtracker roles import`).

A person is found by their AAD object id when the file gives it, else by user principal name
among the people the bot has seen, else through `lookup` (the Teams members API, which accepts
a UPN). Rows that can't be resolved are reported, never guessed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from ..errors import InvalidInput
from ..model import Actor
from ..permissions import Scope
from ..ports import Person, UnitOfWork
from ..privacy import check_text
from ..roles_csv import RoleRow
from .admin import scope_for
from .writer import Writer

IMPORTER = Actor(teams_id="cli", aad_id="cli", name="Roles import (sgtracker)")
Lookup = Callable[[str], Awaitable[Person | None]]


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Planned:
    row: RoleRow
    role: str
    scope: Scope
    person: Person | None


class RolesImport:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps

    async def import_roles(
        self, rows: Sequence[RoleRow], lookup: Lookup | None = None, actor: Actor = IMPORTER
    ) -> ImportReport:
        report = ImportReport()
        async with self.w.unit() as uow:
            planned = [p for row in rows
                       if (p := await self._plan(uow, row, report)) is not None]
        for i, p in enumerate(planned):  # the Teams look-ups happen outside the transaction
            if p.person is None and lookup is not None and p.row.upn:
                found = await lookup(p.row.upn)
                if found is not None and found.aad_id:
                    planned[i] = _Planned(p.row, p.role, p.scope, _named(found, p.row))
        async with self.w.unit() as uow:
            for p in planned:
                if p.person is None:
                    report.problems.append(
                        f"line {p.row.line}: couldn't find {p.row.upn}. Add their AAD object id "
                        "in an 'aad object id' column, or ask them to message the bot first.")
                    continue
                await self._grant(uow, actor, p, report)
            await uow.commit()
        return report

    async def _plan(self, uow: UnitOfWork, row: RoleRow, report: ImportReport) -> _Planned | None:
        try:
            role = self.d.ref.role(row.role)
            scope = scope_for(self.d.ref, row.locality, None)
            if scope.kind.value not in self.d.ref.role_scopes.get(role, ("locality",)):
                raise InvalidInput({"scope": f"{self.d.ref.role_label(role)} can't be held "
                                             f"{scope.describe(self.d.ref)}."})
            check_text({"name": row.name}, confirmed=True)
        except InvalidInput as e:
            report.problems.append(f"line {row.line}: {'; '.join(e.errors.values())}")
            return None
        person: Person | None = None
        if row.aad_id:
            known = await uow.directory.person(row.aad_id)
            person = _named(known or Person(row.aad_id, row.teams_id, "", row.upn), row)
        elif row.upn:
            known = await uow.directory.person_by_upn(row.upn)
            person = _named(known, row) if known else None
        return _Planned(row, role, scope, person)

    async def _grant(self, uow: UnitOfWork, actor: Actor, p: _Planned,
                     report: ImportReport) -> None:
        assert p.person is not None
        known = await uow.directory.person(p.person.aad_id)  # an earlier row may have named them
        person = _named(p.person, p.row) if known is None else Person(
            aad_id=known.aad_id, teams_id=known.teams_id or p.person.teams_id,
            name=p.row.name or known.name or p.person.name, upn=known.upn or p.person.upn)
        await uow.directory.upsert_person(person)
        changed = await uow.directory.add_grant(person.aad_id, p.role, p.scope)
        line = (f"{person.name}: {self.d.ref.role_label(p.role).lower()} "
                f"{p.scope.describe(self.d.ref)}")
        (report.added if changed else report.unchanged).append(line)
        if changed:
            await self.w.record(uow, actor, None, "role_assigned", {
                "what": "role assigned", "role": p.role, "person_aad_id": person.aad_id,
                "person": person.name, "scope": f"{p.scope.kind.value}:{p.scope.key}",
                "changed": True, "source": f"roles import, line {p.row.line}"})


def _named(person: Person, row: RoleRow) -> Person:
    """The person with the file's name, Teams id and UPN filling what we don't know yet."""
    return Person(aad_id=person.aad_id, teams_id=person.teams_id or row.teams_id,
                  name=person.name or row.name or row.upn or person.upn,
                  upn=person.upn or row.upn)

"""Cases and their identifiers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, bindparam, false, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tracker.model import Case, IdKind, case_from_dict, case_to_dict
from tracker.permissions import Scope, ScopeKind
from tracker.ports import CaseFilter, ConcurrentChange, DuplicateIdentifier

from .tables import case_identifiers, cases


def _row(case: Case, next_due: date | None) -> dict[str, Any]:
    return {
        "state": case.state.value, "is_open": not case.closed, "locality": case.locality,
        "region": case.region, "team_id": case.team_id, "created_at": case.created_at,
        "next_due": next_due, "version": case.version, "record": case_to_dict(case),
    }


# Built once with bind parameters: building a statement per call cost more CPU than running it.
_GET = select(cases.c.record).where(cases.c.number == bindparam("b_number"))
_SAVE = update(cases).where(cases.c.number == bindparam("b_number"),
                            cases.c.version == bindparam("b_expected"))


class SqlCases:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, case: Case, next_due: date | None) -> int:
        row = _row(case, next_due)
        number = (await self.conn.execute(
            insert(cases).values(**row).returning(cases.c.number))).scalar_one()
        case.number = number
        await self.conn.execute(update(cases).where(cases.c.number == number)
                                .values(record=case_to_dict(case)))
        return int(number)

    async def get(self, number: int) -> Case | None:
        if not 0 < number < 2**31:
            return None
        rec = (await self.conn.execute(_GET, {"b_number": number})).scalar_one_or_none()
        return case_from_dict(rec) if rec is not None else None

    async def save(self, case: Case, expected_version: int, next_due: date | None) -> None:
        result = await self.conn.execute(_SAVE, {"b_number": case.number,
                                                 "b_expected": expected_version,
                                                 **_row(case, next_due)})
        if result.rowcount != 1:
            raise ConcurrentChange(case.number)

    async def find_by_identifier(self, kind: IdKind, value: str) -> int | None:
        found = (await self.conn.execute(
            select(case_identifiers.c.case_number).where(
                case_identifiers.c.kind == kind.value,
                case_identifiers.c.value == value))).scalar_one_or_none()
        return int(found) if found is not None else None

    async def claim_identifiers(self, number: int, ids: Sequence[tuple[IdKind, str]]) -> None:
        for kind, value in ids:
            try:
                async with self.conn.begin_nested():
                    await self.conn.execute(insert(case_identifiers).values(
                        kind=kind.value, value=value, case_number=number))
            except IntegrityError:
                owner = await self.find_by_identifier(kind, value)
                if owner is None or owner == number:
                    continue
                raise DuplicateIdentifier(owner) from None

    def _where(self, flt: CaseFilter) -> Any:
        conds = [_scope_condition(s) for s in flt.scopes]
        where = [or_(*conds) if conds else false()]
        if flt.open_only:
            where.append(cases.c.is_open.is_(True))
        if flt.locality:
            where.append(cases.c.locality == flt.locality)
        if flt.due_before is not None:
            where.append(cases.c.next_due < flt.due_before)
        if flt.states:
            where.append(cases.c.state.in_([s.value for s in flt.states]))
        return and_(*where)

    async def list(self, flt: CaseFilter) -> list[Case]:
        query = select(cases.c.record).where(self._where(flt))
        if flt.due_before is not None:
            query = query.order_by(cases.c.next_due, cases.c.number)
        else:
            query = query.order_by(cases.c.number.desc())
        rows = await self.conn.execute(query.limit(flt.limit).offset(flt.offset))
        return [case_from_dict(r[0]) for r in rows]

    async def count(self, flt: CaseFilter) -> int:
        q = select(func.count()).select_from(cases).where(self._where(flt))
        return int((await self.conn.execute(q)).scalar_one())


def _scope_condition(scope: Scope) -> Any:
    if scope.kind is ScopeKind.NATIONAL:
        return cases.c.number.is_not(None)
    if scope.kind is ScopeKind.REGION:
        return cases.c.region == scope.key
    if scope.kind is ScopeKind.LOCALITY:
        return cases.c.locality == scope.key
    return false()  # a team is a place, not a scope of power

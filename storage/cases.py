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
from tracker.ports import CaseFilter, ConcurrentChange, DuplicateIdentifier, PeriodRows
from tracker.statistics import closed_on

from .hot import Hot
from .tables import case_identifiers, cases


def _row(case: Case, next_due: date | None) -> dict[str, Any]:
    return {
        "state": case.state.value, "is_open": not case.closed, "locality": case.locality,
        "region": case.region, "team_id": case.team_id, "created_at": case.created_at,
        "next_due": next_due, "version": case.version, "record": case_to_dict(case),
        "closed_on": closed_on(case), "route": case.route.value if case.route else "",
        "review_type": case.review_type.value if case.review_type else "",
        "stage": case.stage,
    }


# The columns of migration 0006 from the record, in SQL (as `_row` fills them for a case saved
# from now on). closed_on (tracker.statistics.closed_on): the day of the last decision, else the
# publication day, else the day the case was added. Used by the migration and the bench.
BACKFILL_SQL = {
    "sqlite": [
        "UPDATE cases SET closed_on = COALESCE(date(json_extract(record, "
        "'$.decisions[#-1].at')), date(json_extract(record, '$.published_on')), "
        "date(created_at)) WHERE is_open = 0",
        "UPDATE cases SET route = COALESCE(json_extract(record, '$.route'), ''), "
        "review_type = COALESCE(json_extract(record, '$.review_type'), ''), "
        "stage = COALESCE(json_extract(record, '$.stage'), '')"],
    "postgresql": [
        "UPDATE cases SET closed_on = COALESCE(((record->'decisions'->-1->>'at')"
        "::timestamptz AT TIME ZONE 'UTC')::date, (record->>'published_on')::date, "
        "(created_at AT TIME ZONE 'UTC')::date) WHERE NOT is_open",
        "UPDATE cases SET route = COALESCE(record->>'route', ''), "
        "review_type = COALESCE(record->>'review_type', ''), "
        "stage = COALESCE(record->>'stage', '')"],
}

# Built once with bind parameters: building a statement per call cost more CPU than running it.
_GET = Hot(select(cases.c.record).where(cases.c.number == bindparam("b_number")))
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
        found = await _GET.rows(self.conn, {"b_number": number})
        rec = found[0]["record"] if found else None
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
        return and_(*where, *_tab_conditions(flt))

    async def list(self, flt: CaseFilter) -> list[Case]:
        query = select(cases.c.record).where(self._where(flt))
        order = _ORDERS.get(flt.order)
        if order is not None:
            query = query.order_by(*order)
        elif flt.due_before is not None:
            query = query.order_by(cases.c.next_due, cases.c.number)
        else:
            query = query.order_by(cases.c.number.desc())
        rows = await self.conn.execute(query.limit(flt.limit).offset(flt.offset))
        return [case_from_dict(r[0]) for r in rows]

    async def count(self, flt: CaseFilter) -> int:
        q = select(func.count()).select_from(cases).where(self._where(flt))
        return int((await self.conn.execute(q)).scalar_one())

    async def count_by_locality(self, flt: CaseFilter) -> dict[str, int]:
        q = select(cases.c.locality, func.count()).where(self._where(flt)) \
            .group_by(cases.c.locality)
        return {str(k): int(n) for k, n in await self.conn.execute(q)}

    async def period_rows(self, new: CaseFilter, closed: CaseFilter) -> PeriodRows:
        """The statistics' counts, by the database: only the few fields that live in the
        record (converted, themes, the dates of a publication) are read from it."""
        c, run = cases.c, self.conn.execute
        is_new, is_closed = self._where(new), self._where(closed)
        by_route_type = {(str(r), str(t)): int(n) for r, t, n in await run(
            select(c.route, c.review_type, func.count()).where(is_new)
            .group_by(c.route, c.review_type))}
        converted = {str(t): int(n) for t, n in await run(
            select(c.review_type, func.count()).where(
                is_new, c.review_type.not_in(["", "rapid_review", "no_review"]),
                c.record["converted"].as_boolean().is_(True)).group_by(c.review_type))}
        themes = [list(x or []) for (x,) in await run(
            select(c.record["themes"]).where(is_new))]
        states = {str(s): int(n) for s, n in await run(
            select(c.state, func.count()).where(is_closed).group_by(c.state))}
        published = []
        for on, started, panel, added, created in await run(
                select(c.record["published_on"].as_string(),
                       c.record["review_started_on"].as_string(),
                       c.record["panel_date"].as_string(), c.record["date_added"].as_string(),
                       c.created_at).where(is_closed, c.state == "closed_published")):
            if on:
                start = started or panel or added
                published.append((date.fromisoformat(on), date.fromisoformat(start) if start
                                  else created.date()))
        return PeriodRows(by_route_type, converted, themes, states, published)


def _tab_conditions(flt: CaseFilter) -> list[Any]:
    """The tab's filters, on columns (migration 0006)."""
    out: list[Any] = []
    if flt.region:
        out.append(cases.c.region == flt.region)
    if flt.closed_only:
        out.append(cases.c.is_open.is_(False))
    if flt.created_from is not None:
        out.append(cases.c.created_at >= flt.created_from)
    if flt.created_before is not None:
        out.append(cases.c.created_at < flt.created_before)
    if flt.closed_from is not None:
        out.append(cases.c.closed_on >= flt.closed_from)
    if flt.closed_before is not None:
        out.append(cases.c.closed_on < flt.closed_before)
    if flt.review_type:
        out.append(cases.c.review_type == flt.review_type)
    if flt.stage:
        out.append(cases.c.stage == flt.stage)
    if flt.route:
        out.append(cases.c.route == ("" if flt.route == "none" else flt.route))
    return out


_ORDERS: dict[str, tuple[Any, ...]] = {
    "number": (cases.c.number,),
    "-number": (cases.c.number.desc(),),
    "added": (cases.c.created_at, cases.c.number),
    "-added": (cases.c.created_at.desc(), cases.c.number.desc()),
    "due": (cases.c.next_due.is_(None), cases.c.next_due, cases.c.number),
    "icb": (cases.c.locality, cases.c.number.desc()),
}


def _scope_condition(scope: Scope) -> Any:
    if scope.kind is ScopeKind.NATIONAL:
        return cases.c.number.is_not(None)
    if scope.kind is ScopeKind.REGION:
        return cases.c.region == scope.key
    if scope.kind is ScopeKind.LOCALITY:
        return cases.c.locality == scope.key
    return false()  # a team is a place, not a scope of power

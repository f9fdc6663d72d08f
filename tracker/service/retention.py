"""`sgtracker retention`: find closed cases past their retention period and redact their free
text, keeping the skeleton and recording the redaction as an event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ..model import SYSTEM, Actor, Case, State
from ..permissions import NATIONAL
from ..ports import CaseFilter, ConcurrentChange, UnitOfWork
from ..retention import add_years, closed_at, redact, years_for
from .base import card_update
from .writer import Writer

CLOSED = tuple(s for s in State if s.closed)


@dataclass(frozen=True)
class Due:
    number: int
    review_type: str
    closed_on: date
    years: int
    due_on: date


class Retention:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps

    async def retention_due(self, today: date) -> list[Due]:
        """Closed, not yet redacted cases whose retention period has ended by `today`."""
        found: list[Due] = []
        offset = 0
        async with self.w.unit() as uow:
            while True:
                page = await uow.cases.list(CaseFilter(scopes=[NATIONAL], open_only=False,
                                                       states=CLOSED, limit=200, offset=offset))
                for case in page:
                    due = await self._due(uow, case, today)
                    if due is not None:
                        found.append(due)
                if len(page) < 200:
                    return sorted(found, key=lambda d: d.number)
                offset += 200

    async def _due(self, uow: UnitOfWork, case: Case, today: date) -> Due | None:
        if case.redacted or not case.closed:
            return None
        when = await self._closed_at(uow, case.number) or case.created_at
        years = years_for(self.d.ref, case)
        due_on = add_years(when.date(), years)
        if due_on > today:
            return None
        kind = case.review_type.value if case.review_type else "default"
        return Due(case.number, kind, when.date(), years, due_on)

    async def _closed_at(self, uow: UnitOfWork, number: int) -> datetime | None:
        offset = 0
        while batch := await uow.events.history(number, offset, 200):  # newest first
            if (when := closed_at(batch)) is not None:
                return when
            offset += len(batch)
        return None

    async def apply_retention(self, today: date, actor: Actor = SYSTEM) -> list[Due]:
        """Redact every case that is due, one transaction each; returns what was done."""
        done = []
        for due in await self.retention_due(today):
            async with self.w.unit() as uow:
                case = await uow.cases.get(due.number)
                if case is None or case.redacted or not case.closed:
                    continue
                fields = redact(case)
                expected = case.version
                case.version += 1
                try:
                    await uow.cases.save(case, expected, None)
                except ConcurrentChange:
                    continue  # changed meanwhile (reopened?): the next run looks again
                removed = await uow.events.remove_free_text(case.number)
                await self.w.record(uow, actor, case.number, "redacted", {
                    "what": "free text removed under the retention policy",
                    "fields": fields, "event_texts_removed": removed,
                    "review_type": due.review_type, "closed_on": due.closed_on.isoformat(),
                    "retention_years": due.years})
                await uow.outbox.enqueue(card_update(case.number))
                await uow.commit()
                done.append(due)
        return done

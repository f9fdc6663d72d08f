"""The reminder ledger: one row per case and reminder kind, so a missed tick still fires."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tracker.ports import Reminder

from .db import is_sqlite
from .tables import reminders


def _reminder(r: object) -> Reminder:
    return Reminder(case_number=r.case_number, kind=r.kind, due_at=r.due_at,  # type: ignore
                    repeats=r.repeats, done=r.done, snoozed_until=r.snoozed_until,  # type: ignore
                    data=r.data)  # type: ignore[attr-defined]


_FOR_CASE = select(reminders).where(reminders.c.case_number == bindparam("b_case")) \
    .order_by(reminders.c.kind)  # every change of a case

class SqlReminders:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def upsert(self, reminder: Reminder) -> None:
        values = dict(due_at=reminder.due_at, repeats=reminder.repeats, done=reminder.done,
                      snoozed_until=reminder.snoozed_until, data=reminder.data)
        done = await self.conn.execute(update(reminders).where(
            reminders.c.case_number == reminder.case_number,
            reminders.c.kind == reminder.kind).values(**values))
        if done.rowcount == 0:
            await self.conn.execute(insert(reminders).values(
                case_number=reminder.case_number, kind=reminder.kind, **values))

    async def get(self, case_number: int, kind: str) -> Reminder | None:
        row = (await self.conn.execute(select(reminders).where(
            reminders.c.case_number == case_number, reminders.c.kind == kind))).first()
        return _reminder(row) if row else None

    async def for_case(self, case_number: int) -> list[Reminder]:
        rows = await self.conn.execute(_FOR_CASE, {"b_case": case_number})
        return [_reminder(r) for r in rows]


async def claim_due(engine: AsyncEngine, now: datetime, lease: timedelta,
                    limit: int = 50) -> list[Reminder]:
    """Reminders due now, leased to this worker so a second instance skips them."""
    q = select(reminders).where(
        reminders.c.done.is_(False), reminders.c.due_at <= now,
        or_(reminders.c.snoozed_until.is_(None), reminders.c.snoozed_until <= now),
        or_(reminders.c.claimed_until.is_(None), reminders.c.claimed_until < now),
    ).order_by(reminders.c.due_at).limit(limit)
    if not is_sqlite(str(engine.url)):
        q = q.with_for_update(skip_locked=True)
    async with engine.begin() as conn:
        rows = list(await conn.execute(q))
        for r in rows:
            await conn.execute(update(reminders).where(and_(
                reminders.c.case_number == r.case_number, reminders.c.kind == r.kind))
                .values(claimed_until=now + lease))
    return [_reminder(r) for r in rows]


async def release(engine: AsyncEngine, case_number: int, kind: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(update(reminders).where(
            reminders.c.case_number == case_number, reminders.c.kind == kind)
            .values(claimed_until=None))

"""The append-only event log. There is no update or delete here, by design."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tracker.ports import EventRecord

from .tables import case_events


def _record(row: Any) -> EventRecord:
    return EventRecord(case_number=row.case_number, kind=row.kind,
                       actor_teams_id=row.actor_teams_id, actor_aad_id=row.actor_aad_id,
                       actor_name=row.actor_name, at=row.at, data=row.data, id=row.id)


class SqlEvents:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def append(self, event: EventRecord) -> None:
        await self.conn.execute(insert(case_events).values(
            case_number=event.case_number, kind=event.kind, actor_teams_id=event.actor_teams_id,
            actor_aad_id=event.actor_aad_id, actor_name=event.actor_name, at=event.at,
            data=event.data))

    async def history(self, number: int, offset: int, limit: int) -> list[EventRecord]:
        """Newest first."""
        rows = await self.conn.execute(
            select(case_events).where(case_events.c.case_number == number)
            .order_by(case_events.c.id.desc()).offset(offset).limit(limit))
        return [_record(r) for r in rows]

    async def count(self, number: int) -> int:
        q = select(func.count()).select_from(case_events) \
            .where(case_events.c.case_number == number)
        return int((await self.conn.execute(q)).scalar_one())

    def export(self, number: int | None, since: datetime | None) -> AsyncIterator[EventRecord]:
        return export_events(self.conn, number, since)


async def export_events(
    conn: AsyncConnection | AsyncEngine, number: int | None, since: datetime | None
) -> AsyncIterator[EventRecord]:
    """Oldest first, streamed in pages so a large log does not sit in memory."""
    last_id = 0
    while True:
        q = select(case_events).where(case_events.c.id > last_id)
        if number is not None:
            q = q.where(case_events.c.case_number == number)
        if since is not None:
            q = q.where(case_events.c.at >= since)
        q = q.order_by(case_events.c.id).limit(500)
        if isinstance(conn, AsyncEngine):
            async with conn.connect() as c:
                rows = list(await c.execute(q))
        else:
            rows = list(await conn.execute(q))
        if not rows:
            return
        for r in rows:
            yield _record(r)
        last_id = rows[-1].id

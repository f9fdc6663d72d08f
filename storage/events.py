"""The append-only event log. There is no update or delete here, by design."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tracker.audit import join_free_text, split_free_text
from tracker.ports import EventRecord

from .tables import case_events, event_texts


def _record(row: Any, texts: dict[str, Any] | None = None) -> EventRecord:
    return EventRecord(case_number=row.case_number, kind=row.kind,
                       actor_teams_id=row.actor_teams_id, actor_aad_id=row.actor_aad_id,
                       actor_name=row.actor_name, at=row.at,
                       data=join_free_text(row.data, texts or {}), id=row.id)


async def _with_texts(conn: AsyncConnection, rows: list[Any]) -> list[EventRecord]:
    """The events with their free text put back (text removed under retention reads so)."""
    ids = [r.id for r in rows]
    texts: dict[int, dict[str, Any]] = {i: {} for i in ids}
    if ids:
        for t in await conn.execute(select(event_texts).where(event_texts.c.event_id.in_(ids))):
            texts[t.event_id][t.path] = t.value
    return [_record(r, texts[r.id]) for r in rows]



_APPEND = insert(case_events).returning(case_events.c.id)  # built once: runs on every change

class SqlEvents:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def append(self, event: EventRecord) -> None:
        data, texts = split_free_text(event.data)
        event_id = (await self.conn.execute(_APPEND, dict(
            case_number=event.case_number, kind=event.kind, actor_teams_id=event.actor_teams_id,
            actor_aad_id=event.actor_aad_id, actor_name=event.actor_name, at=event.at,
            data=data))).scalar_one()
        if texts:
            await self.conn.execute(insert(event_texts), [
                {"event_id": event_id, "path": path, "case_number": event.case_number,
                 "value": value} for path, value in texts.items()])

    async def history(self, number: int, offset: int, limit: int) -> list[EventRecord]:
        """Newest first."""
        rows = await self.conn.execute(
            select(case_events).where(case_events.c.case_number == number)
            .order_by(case_events.c.id.desc()).offset(offset).limit(limit))
        return await _with_texts(self.conn, list(rows))

    async def count(self, number: int) -> int:
        q = select(func.count()).select_from(case_events) \
            .where(case_events.c.case_number == number)
        return int((await self.conn.execute(q)).scalar_one())

    def export(self, number: int | None, since: datetime | None) -> AsyncIterator[EventRecord]:
        return export_events(self.conn, number, since)

    async def texts(self, number: int) -> list[tuple[int, str, Any]]:
        """The stored free text of a case's events: (event id, path, value), oldest first."""
        rows = await self.conn.execute(
            select(event_texts).where(event_texts.c.case_number == number)
            .order_by(event_texts.c.event_id, event_texts.c.path))
        return [(r.event_id, r.path, r.value) for r in rows]

    async def replace_text(self, event_id: int, path: str, value: Any) -> None:
        """Mask one stored text (the event itself stays as it is, as under retention)."""
        await self.conn.execute(update(event_texts).where(
            event_texts.c.event_id == event_id, event_texts.c.path == path).values(value=value))

    async def remove_free_text(self, number: int) -> int:
        """Retention: delete the free text of a case's events (the events stay as they are)."""
        done = await self.conn.execute(delete(event_texts)
                                       .where(event_texts.c.case_number == number))
        return int(done.rowcount or 0)


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
                records = await _with_texts(c, list(await c.execute(q)))
        else:
            records = await _with_texts(conn, list(await conn.execute(q)))
        if not records:
            return
        for record in records:
            yield record
        last_id = records[-1].id

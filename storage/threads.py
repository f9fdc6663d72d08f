"""Where each case's thread lives, and the 1:1 messages we may update later."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .tables import direct_messages, threads


@dataclass(frozen=True)
class ThreadRef:
    case_number: int
    service_url: str
    tenant_id: str
    team_id: str
    channel_id: str
    conversation_id: str  # "<channel>;messageid=<root>"
    activity_id: str  # the root message: the case card


@dataclass(frozen=True)
class DirectRef:
    key: str
    conversation_id: str
    activity_id: str
    service_url: str


class Threads:
    """A case's thread never changes once stored, so each one is read from the database once."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._known: dict[int, ThreadRef] = {}

    async def get(self, case_number: int) -> ThreadRef | None:
        if case_number in self._known:
            return self._known[case_number]
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(threads)
                                      .where(threads.c.case_number == case_number))).first()
        if row is None:
            return None
        self._known[case_number] = ThreadRef(**row._mapping)
        return self._known[case_number]

    async def save(self, ref: ThreadRef) -> ThreadRef:
        """Store the thread once; if another worker stored one first, theirs stands."""
        async with self.engine.begin() as conn:
            return await save_thread_in(conn, ref)

    async def get_direct(self, key: str) -> DirectRef | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(direct_messages)
                                      .where(direct_messages.c.dedupe_key == key))).first()
        return DirectRef(row.dedupe_key, row.conversation_id, row.activity_id,
                         row.service_url) if row else None

    async def save_direct(self, ref: DirectRef) -> None:
        async with self.engine.begin() as conn:
            await save_direct_in(conn, ref)


async def save_thread_in(conn: AsyncConnection, ref: ThreadRef) -> ThreadRef:
    """Insert the case's thread inside the caller's transaction; the first one stored wins."""
    try:
        async with conn.begin_nested():
            await conn.execute(insert(threads).values(**ref.__dict__))
        return ref
    except IntegrityError:
        row = (await conn.execute(select(threads).where(
            threads.c.case_number == ref.case_number))).first()
        assert row is not None
        return ThreadRef(**row._mapping)


async def save_direct_in(conn: AsyncConnection, ref: DirectRef) -> None:
    try:
        async with conn.begin_nested():
            await conn.execute(insert(direct_messages).values(
                dedupe_key=ref.key, conversation_id=ref.conversation_id,
                activity_id=ref.activity_id, service_url=ref.service_url))
    except IntegrityError:
        pass  # stored before: the first message stands

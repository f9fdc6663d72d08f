"""One pooled connection for all of a turn's units of work, in turn.

A `case N` turn opens four short units of work (the dedupe insert, the channel, the grants, the
case); taking a connection from the pool and giving it back cost about as much as the SQL
itself. Inside `leased(engine)` they share one connection, taken at the first unit and given
back when the lease ends or `release()` is called (before any wait on the network, so the
embedded database's one connection is never held while Teams answers).

A unit that writes is still its own transaction. Read-only units (storage/uow.py) need less:
on SQLite consecutive ones share one transaction, which the next writing unit or the end of
the lease closes; on PostgreSQL they run in autocommit, as does a unit of one statement (the
dedupe insert), with no BEGIN, COMMIT or ROLLBACK round trips. Under READ COMMITTED every
statement sees what was committed when it began, inside a transaction or not, so a read sees
the same rows either way.

The lease is used only by the task that made it, and only by one unit at a time: a unit opened
inside another, or from another task, takes its own connection as before. After an error the
connection goes back to the pool, which checks it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class Lease:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.task = asyncio.current_task()
        self.ended = False
        self.busy = False
        self._conn: AsyncConnection | None = None

    def usable(self, engine: AsyncEngine) -> bool:
        return (engine is self.engine and not self.ended and not self.busy
                and asyncio.current_task() is self.task)

    async def take(self) -> AsyncConnection:
        if self._conn is None or self._conn.closed:
            self._conn = await self.engine.connect()
        self.busy = True
        return self._conn

    async def give_back(self, failed: bool) -> None:
        self.busy = False
        if failed:
            await self.release()

    async def release(self) -> None:
        """Back to the pool now; the next unit of the turn takes one again. Never from under a
        unit still open (it is given back when that unit ends, or with the lease)."""
        if self.busy:
            return
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()


_LEASE: ContextVar[Lease | None] = ContextVar("sgtracker_lease", default=None)
AUTOCOMMIT_READS = frozenset({"postgresql"})  # SQLite's BEGIN and COMMIT cost no round trip


async def autocommit(conn: AsyncConnection, on: bool) -> None:
    """PostgreSQL: statements commit one by one (`on`), or inside BEGIN ... COMMIT."""
    if conn.dialect.name not in AUTOCOMMIT_READS:
        return
    sync = conn.sync_connection
    assert sync is not None
    if (sync.get_execution_options().get("isolation_level") == "AUTOCOMMIT") != on:
        await conn.execution_options(
            isolation_level="AUTOCOMMIT" if on else sync.default_isolation_level)


async def let_go() -> None:
    """Give back this task's leased connection, if any, before waiting on another task (which
    may need the embedded database's one connection)."""
    lease = _LEASE.get()
    if lease is not None and asyncio.current_task() is lease.task and not lease.busy:
        await lease.release()


def self_committing(conn: AsyncConnection, single: bool) -> bool:
    """PostgreSQL in autocommit: each statement commits itself, there is nothing to begin."""
    return single and conn.dialect.name in AUTOCOMMIT_READS


@asynccontextmanager
async def begun(conn: AsyncConnection, single: bool) -> AsyncIterator[None]:
    """BEGIN ... COMMIT around the block, or, where each statement commits itself, only
    SQLAlchemy's own bookkeeping of any statement run through it (no round trip either way)."""
    if not self_committing(conn, single):
        async with conn.begin():
            yield
        return
    try:
        yield
    except BaseException:
        if conn.in_transaction():
            await conn.rollback()
        raise
    if conn.in_transaction():
        await conn.commit()


def current(engine: AsyncEngine) -> Lease | None:
    lease = _LEASE.get()
    return lease if lease is not None and lease.usable(engine) else None


@asynccontextmanager
async def leased(engine: AsyncEngine) -> AsyncIterator[Lease]:
    lease = Lease(engine)
    token = _LEASE.set(lease)
    try:
        yield lease
    finally:
        _LEASE.reset(token)
        lease.ended, lease.busy = True, False  # every unit of the owner has ended by now
        await lease.release()


@asynccontextmanager
async def transaction(engine: AsyncEngine, single: bool = False,
                      ) -> AsyncIterator[AsyncConnection]:
    """`engine.begin()`, on the turn's leased connection when there is one. `single`: the
    block runs one statement, which is all or nothing by itself (autocommit on PostgreSQL)."""
    lease = current(engine)
    if lease is None:
        async with engine.connect() as conn:
            await autocommit(conn, single)
            async with begun(conn, single):
                yield conn
        return
    conn = await lease.take()
    failed = True
    try:
        if conn.in_transaction():  # the turn's reads end here
            await conn.rollback()
        await autocommit(conn, single)
        async with begun(conn, single):
            yield conn
        failed = False
    finally:
        await lease.give_back(failed)

"""The SQLite driver's one-trip statements keep SQLAlchemy's transactions exactly: the write lock
is taken before a transaction's first read, a rollback undoes, an empty transaction ends
cleanly, and rows, row counts and streams come back as before."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from storage import sqlite_driver
from storage.db import create_engine

pytestmark = pytest.mark.skipif(not sqlite_driver.SUPPORTED, reason="stock driver in use")


async def test_statements_transactions_and_the_write_lock(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'd.db'}"
    engine = create_engine(url)
    assert isinstance(engine.dialect.dbapi, sqlite_driver.OneHopDbapi)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        done = await conn.execute(text("INSERT INTO t (v) VALUES ('a'), ('b')"))
        assert done.rowcount == 2
    async with engine.begin():
        pass  # nothing ran: ends without a trip, and without an error
    async with engine.connect() as conn:
        async with conn.begin() as tx:
            await conn.execute(text("DELETE FROM t"))
            await tx.rollback()
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 2
        await conn.rollback()
        streamed = [row.v async for row in await conn.stream(text("SELECT v FROM t ORDER BY id"))]
        assert streamed == ["a", "b"]
        await conn.rollback()

    # A transaction that has only read holds the write lock (BEGIN IMMEDIATE went with its
    # first statement): another connection cannot write until it ends.
    other = create_async_engine(url, connect_args={"timeout": 0.2})
    try:
        async with engine.connect() as conn, conn.begin():
            assert (await conn.execute(text("SELECT v FROM t WHERE id = 1"))).scalar_one() == "a"
            with pytest.raises(OperationalError, match="locked"):
                async with other.begin() as o:
                    await o.execute(text("INSERT INTO t (v) VALUES ('c')"))
        async with other.begin() as o:
            await o.execute(text("INSERT INTO t (v) VALUES ('c')"))
    finally:
        await other.dispose()
        await engine.dispose()


def _trace(engine_conn: Any) -> list[tuple[str, bool]]:
    """Each statement SQLite runs on this connection (but the busy timeout's PRAGMAs), and
    whether the loop's thread ran it."""
    seen: list[tuple[str, bool]] = []
    main = threading.get_ident()

    def trace(sql: str) -> None:
        if not sql.startswith("PRAGMA"):
            seen.append((sql.split()[0].upper(), threading.get_ident() == main))

    engine_conn._connection._connection.set_trace_callback(trace)  # the sqlite3 connection
    return seen


@contextlib.asynccontextmanager
async def traced(path: Path) -> AsyncIterator[tuple[AsyncConnection, list[tuple[str, bool]]]]:
    """A connection to a new database with a table `t`, and the trace of what it runs."""
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            yield conn, _trace(raw.dbapi_connection)
    finally:
        await engine.dispose()


async def test_a_transaction_runs_on_the_loop_its_commit_included(tmp_path: Path) -> None:
    async with traced(tmp_path / "d.db") as (conn, seen):
        async with conn.begin():
            await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
            assert (await conn.execute(text("SELECT v FROM t"))).scalar_one() == "a"
        async with conn.begin():  # read only
            await conn.execute(text("SELECT v FROM t"))
        async with conn.begin() as tx:
            await conn.execute(text("DELETE FROM t"))
            await tx.rollback()
        with pytest.raises(IntegrityError):  # an error on the loop is SQLAlchemy's as ever
            async with conn.begin():
                await conn.execute(text("INSERT INTO t (id, v) VALUES (1, 'again')"))
        assert seen == [("BEGIN", True), ("INSERT", True), ("SELECT", True), ("COMMIT", True),
                        ("BEGIN", True), ("SELECT", True), ("COMMIT", True),
                        ("BEGIN", True), ("DELETE", True), ("ROLLBACK", True),
                        ("BEGIN", True), ("INSERT", True), ("ROLLBACK", True)]
        assert (await conn.execute(text("SELECT v FROM t"))).scalars().all() == ["a"]


async def test_waiting_for_the_write_lock_happens_on_the_thread_not_the_loop(
        tmp_path: Path) -> None:
    """Another engine (as another process would) holds the write lock for 0.4 s: our next
    transaction waits for it, on aiosqlite's thread, while the event loop keeps turning."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'd.db'}"
    engine, other = create_engine(url), create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        async with other.connect() as holder:
            await holder.begin()
            await holder.execute(text("INSERT INTO t (v) VALUES ('first')"))
            gaps: list[float] = []

            async def ticking(until: asyncio.Event) -> None:
                last = time.monotonic()
                while not until.is_set():
                    await asyncio.sleep(0.01)
                    now = time.monotonic()
                    gaps.append(now - last)
                    last = now

            async def second() -> list[str]:
                async with engine.begin() as conn:
                    await conn.execute(text("INSERT INTO t (v) VALUES ('second')"))
                    return list((await conn.execute(text("SELECT v FROM t ORDER BY id")))
                                .scalars())

            done = asyncio.Event()
            ticker = asyncio.create_task(ticking(done))
            waiting = asyncio.create_task(second())
            await asyncio.sleep(0.4)
            assert not waiting.done()  # still waiting for the lock, and the loop turns
            await holder.commit()
            assert await asyncio.wait_for(waiting, 5) == ["first", "second"]
            done.set()
            await ticker
        assert max(gaps) < 0.2, max(gaps)
    finally:
        await other.dispose()
        await engine.dispose()


async def test_the_log_is_checkpointed_on_the_thread_every_so_many_writes(tmp_path: Path) -> None:
    """COMMITs on the loop never copy the log into the database file (no disk sync there);
    every CHECKPOINT_EVERY-th write does, on the thread, so the log does not grow."""
    path = tmp_path / "d.db"
    every = sqlite_driver.CHECKPOINT_EVERY
    async with traced(path) as (conn, seen):
        sizes = []
        for i in range(3 * every + 10):
            async with conn.begin():
                await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": "x" * 500})
            if i in (every + 10, 3 * every + 9):
                sizes.append(await asyncio.to_thread(os.path.getsize, f"{path}-wal"))
        on_thread = [sql for sql, here in seen if not here]
        assert on_thread == ["COMMIT"] * 3, on_thread
        assert sizes[1] <= sizes[0] * 1.1, sizes  # the log was reused, not grown
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 3 * every + 10

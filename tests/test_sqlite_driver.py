"""The SQLite driver's one-trip statements keep SQLAlchemy's transactions exactly: the write lock
is taken before a transaction's first read, a rollback undoes, an empty transaction ends
cleanly, and rows, row counts and streams come back as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import create_async_engine

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

"""PostgreSQL's pool: a connection that rested in the pool is pinged before use, so the bot
carries on when the database dropped it (a restart, a failover); one in steady use is not."""

from __future__ import annotations

import asyncio
import os

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import db

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = [pytest.mark.storage,
              pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")]


async def _kill_pool_connections(pids: list[int]) -> None:
    """What a database restart does to the pool: every backend it holds is terminated."""
    admin = await asyncpg.connect(PG_URL.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        for pid in pids:
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


async def _backend(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_rested_connection_dropped_by_the_database_is_replaced_unseen(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.2)
    engine = db.create_engine(PG_URL, pool_size=1)
    try:
        first = await _backend(engine)
        await _kill_pool_connections([first])
        await asyncio.sleep(0.3)  # it rested: pinged at checkout, found dead, replaced
        second = await _backend(engine)
        assert second != first
    finally:
        await engine.dispose()


async def test_a_connection_in_steady_use_is_not_pinged(monkeypatch: pytest.MonkeyPatch) -> None:
    """The price of skipping the ping, shown: a connection dropped within the window fails the
    one unit of work that finds it, and the pool is refilled for the next."""
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 60.0)
    engine = db.create_engine(PG_URL, pool_size=1)
    try:
        first = await _backend(engine)
        await _kill_pool_connections([first])
        with pytest.raises(DBAPIError) as failed:
            await _backend(engine)
        assert failed.value.connection_invalidated
        assert await _backend(engine) != first
    finally:
        await engine.dispose()

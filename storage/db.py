"""Engine creation for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from . import sqlite_driver


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, schema: str | None = None, pool_size: int = 10) -> AsyncEngine:
    """An async engine. On SQLite every transaction takes the write lock at BEGIN, so two
    writers queue instead of deadlocking; on PostgreSQL `schema` sets the search path."""
    if is_sqlite(url):
        # aiosqlite's DEBUG lines carry every SQL parameter, i.e. case free text: never log them.
        logging.getLogger("aiosqlite").setLevel(logging.INFO)
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # One connection: SQLite writes one transaction at a time anyway, and queueing for the
        # pool is first come, first served, where SQLite's busy-wait sleeps and polls.
        extra: dict[str, Any] = {}
        if (module := sqlite_driver.dbapi()) is not None:
            extra["module"] = module  # one trip to aiosqlite's thread per statement
        engine = create_async_engine(url, connect_args={"timeout": 30}, pool_size=1,
                                     max_overflow=0, pool_timeout=60, **extra)
        _sqlite_setup(engine)
        return engine
    connect_args: dict[str, Any] = {}
    if schema:
        connect_args["server_settings"] = {"search_path": schema}
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size,
                                 connect_args=connect_args)
    _ping_when_idle(engine)
    return engine


PING_AFTER_IDLE = 1.0  # seconds a pooled connection may rest and still be trusted unasked


def _ping_when_idle(engine: AsyncEngine) -> None:
    """A connection back from the pool is checked with a ping (on asyncpg three round trips)
    if it rested there PING_AFTER_IDLE or longer; a dead one is replaced before use, so the bot
    carries on through a database restart. One in steady use is not asked: as in HikariCP's
    "alive bypass window", a failure that soon after its last use is rare, and is answered as
    any database error is (nothing changed, and the pool is refilled)."""
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def _rested_from(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _ping_if_rested(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return  # new, or in steady use
        try:
            dbapi_conn.ping()
        except Exception as error:
            raise exc.DisconnectionError("the pooled connection is gone") from error


def _sqlite_setup(engine: AsyncEngine) -> None:
    sync = engine.sync_engine

    @event.listens_for(sync, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(sync, "begin")
    def _on_begin(conn: Any) -> None:
        if not sqlite_driver.defer(conn.connection.dbapi_connection, "BEGIN IMMEDIATE"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")


async def ping(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False

"""Apply Alembic migrations over an async engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

HERE = Path(__file__).parent


def _config(connection: Any) -> Config:
    cfg = Config(str(HERE / "alembic.ini"))
    cfg.set_main_option("script_location", str(HERE / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


MIGRATION_LOCK = 7_340_112  # any constant: one migrator at a time per PostgreSQL database


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Safe to run from several instances at once: on PostgreSQL the others wait on an
    advisory lock, then find nothing left to do (SQLite's BEGIN IMMEDIATE does the same)."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        await conn.run_sync(lambda sync: command.upgrade(_config(sync), revision))


async def current(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision())

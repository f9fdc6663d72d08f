"""Migrations build exactly the schema the code expects, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.db import create_engine
from storage.migrate import current, upgrade
from storage.tables import metadata

pytestmark = pytest.mark.storage


async def test_upgrade_to_head_matches_the_tables(database) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(database.url, schema=database.schema)
    try:
        await upgrade(engine)
        await upgrade(engine)  # a second run is a no-op
        assert await current(engine)

        def diff(sync_conn):  # type: ignore[no-untyped-def]
            ctx = MigrationContext.configure(sync_conn)
            return compare_metadata(ctx, metadata)

        async with engine.connect() as conn:
            differences = await conn.run_sync(diff)
        assert differences == [], f"tables.py and the migrations disagree: {differences}"
    finally:
        await engine.dispose()

"""Migration 0006 fills `closed_on`, `route`, `review_type` and `stage` for the cases already
stored, the same way the repository does for a case saved from now on."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from storage.cases import _row
from storage.db import create_engine
from storage.migrate import upgrade
from storage.tables import cases
from tests.support.tab_world import known_cases
from tracker.statistics import closed_on

pytestmark = pytest.mark.storage


async def test_migration_0006_fills_the_tab_columns_like_the_repository(database) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(database.url, schema=database.schema)
    try:
        await upgrade(engine, "0005")
        known = known_cases()
        async with engine.begin() as conn:
            for case in known:
                row = _row(case, None)
                for column in ("closed_on", "route", "review_type", "stage"):
                    del row[column]  # the columns do not exist yet
                await conn.execute(insert(cases).values(number=case.number,
                                                                       **row))
        await upgrade(engine)
        async with engine.connect() as conn:
            rows = (await conn.execute(select(cases.c.number, cases.c.closed_on, cases.c.route,
                                              cases.c.review_type, cases.c.stage))).all()
        stored = {n: d for n, d, *_ in rows}
        assert stored == {c.number: closed_on(c) for c in known}
        expected = {c.number: _row(c, None) for c in known}
        assert {n: (r, t, s) for n, _, r, t, s in rows} == {
            n: (e["route"], e["review_type"], e["stage"]) for n, e in expected.items()}
        assert sum(1 for d in stored.values() if d) == 3 + 1 + 30  # 5-7, 11 and 13-42
    finally:
        await engine.dispose()

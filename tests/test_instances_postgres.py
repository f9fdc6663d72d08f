"""Two `sgtracker serve` processes on one PostgreSQL database (the CI's PostgreSQL leg): both
migrate at once safely, both deliver without a single duplicate send, keep within Teams'
limits together, and when one is killed the other takes back its work and finishes it."""

from __future__ import annotations

import asyncio
import os
import random
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import aiohttp
import pytest

from storage.db import create_engine
from tests.support.emulator import ConnectorEmulator
from tests.support.harness import Driver
from tests.support.process import (
    Serve,
    check_nothing_lost_and_doubles,
    outbox_rows,
    sgtracker,
)
from tests.support.reliability import incident, intake

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")]
CASES = 24


@pytest.fixture
async def fresh_database() -> AsyncIterator[str]:
    """A database of its own: `serve` cannot be pointed at a schema."""
    import asyncpg

    name = f"mi_{uuid.uuid4().hex[:10]}"
    admin = PG_URL.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def test_two_instances_share_the_work_with_no_duplicate_sends(
        fresh_database: str, emulator: ConnectorEmulator, tmp_path: Path) -> None:
    first, second = await asyncio.gather(sgtracker("migrate", database_url=fresh_database),
                                         sgtracker("migrate", database_url=fresh_database))
    assert first.returncode == second.returncode == 0, (first.stderr, second.stderr)
    assert "revision" in first.stdout and first.stdout == second.stdout

    emulator.enforce_limits()  # Teams' real limits, for both instances together
    a, b = await asyncio.gather(Serve(fresh_database, tmp_path / "a.log").start(),
                                Serve(fresh_database, tmp_path / "b.log").start())
    engine = create_engine(fresh_database)
    try:
        async with aiohttp.ClientSession() as session:
            teams = Driver(SimpleNamespace(url=a.url), emulator, session,  # type: ignore
                           emulator.team)
            await teams.setup_team("Lena Lead")
            # All intakes go to b, so b (nudged by each) does the first part of the work;
            # a only polls. Then b dies mid-burst, and a must take over what b held.
            answers = await asyncio.gather(*(
                intake(session, b.url, incident(i, steis=i % 3 == 0)) for i in range(CASES)))
            assert all(s == 201 for s, _ in answers), answers
            expected = CASES + len([i for i in range(CASES) if i % 3])

            def in_threads() -> int:
                return len([c for c in emulator.messages()
                            if ";messageid=" in (c.conversation_id or "")])

            await emulator.wait_for(lambda: in_threads() >= expected // 3, timeout=30,
                                    message="a third of the deliveries")
            await asyncio.sleep(random.uniform(0.0, 0.3))
            b.kill9()  # b dies holding leases; a must take them back and finish
            killed_at = datetime.now(UTC)
            before = [c for c in emulator.messages() if ";messageid=" in (c.conversation_id or "")]
            in_flight = {r.id for r in await outbox_rows(engine) if r.status == "pending"
                         and r.claimed_until and r.claimed_until > killed_at}
            await emulator.wait_for(lambda: in_threads() >= expected, timeout=90,
                                    message="every delivery, after b was killed")
            await asyncio.sleep(1.0)
            rows = await outbox_rows(engine)
    finally:
        await engine.dispose()
        await a.stop()
        await b.stop()

    assert a.proc is not None and b.proc is not None
    workers = Counter(r.claimed_by.split(":")[1] for r in rows)
    assert workers[str(a.proc.pid)] and workers[str(b.proc.pid)], workers  # both did work
    # Between two live instances nothing is doubled; only b's kill can double what b had sent
    # in its last instant (the window test_crash_safety measures).
    doubled = check_nothing_lost_and_doubles(emulator, rows, CASES, in_flight, before)
    print(f"\n{workers} rows sent per process; {doubled} doubled by the kill; "
          f"{emulator.throttled} throttled")
    if emulator.throttled:
        for c in emulator.calls:
            print(f"{c.at:.3f} {c.kind} {c.status} {(c.conversation_id or '')[-30:]}")
    assert emulator.throttled == 0, f"{emulator.throttled} calls throttled"

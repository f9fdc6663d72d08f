"""Issue 13: no inbound turn scans the channel list. Every statement a turn sends to the
database is counted over real HTTP (an SQLAlchemy listener on the bot's engine): asking whether
the turn's channel is a safeguarding channel is one point lookup on `channels.channel_id`, with
fifty other channels set up, and a 1:1 chat does not ask at all. The asker's role grants are
read once per turn."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, insert, text

from storage.tables import channels
from tests.support.harness import Driver
from tests.support.units import counted
from tests.test_foundation_e2e import INCIDENT, intake

pytestmark = pytest.mark.e2e

Statement = tuple[str, Any]


@contextmanager
def statements(teams: Driver) -> Iterator[list[Statement]]:
    """Every statement the bot's engine runs inside the block, with its parameters: through
    SQLAlchemy (its cursor event) and, on PostgreSQL, straight on asyncpg (storage/hot.py; its
    query logger, on every connection the pool hands out meanwhile)."""
    seen: list[Statement] = []
    sync = teams.bot.services.engine.sync_engine

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        seen.append((statement, parameters))

    def logged(query: Any) -> None:
        seen.append((query.query, tuple(query.args)))

    def listen(dbapi_conn: Any, *_: Any) -> None:
        raw = dbapi_conn.driver_connection
        if hasattr(raw, "add_query_logger"):  # asyncpg
            raw.remove_query_logger(logged)
            raw.add_query_logger(logged)

    event.listen(sync, "before_cursor_execute", record)
    event.listen(sync.pool, "checkout", listen)
    try:
        yield seen
    finally:
        event.remove(sync, "before_cursor_execute", record)
        event.remove(sync.pool, "checkout", listen)


def flat(sql: str) -> str:
    return " ".join(sql.split())


def scans(seen: list[Statement]) -> list[str]:
    """Statements that read the channels table without a WHERE: the whole list."""
    return [s for s, _ in seen if "FROM channels" in flat(s) and " WHERE " not in flat(s)]


def by_id(seen: list[Statement]) -> list[Statement]:
    """Lookups of one channel by its id (the background workers look channels up by
    locality, when they post to a case thread; those are not the turn's). On PostgreSQL it
    comes with the dedupe insert (storage/inbound.py)."""
    return [(s, p) for s, p in seen if "FROM channels" in flat(s)
            and ("channels.channel_id =" in flat(s) or "c.channel_id =" in flat(s))]


async def turn(teams: Driver, act: Callable[[], Awaitable[Any]]) -> list[Statement]:
    """The statements run while one turn is answered."""
    with statements(teams) as seen:
        await act()
        await asyncio.sleep(0.05)  # asyncpg calls its query loggers soon after, not at once
    return list(seen)


async def test_a_turn_looks_up_its_channel_by_id_and_reads_one_row(teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    await teams.say("role designated lead <at>Dev Designated</at> for Devon", "Lena Lead",
                    mentions=("Dev Designated",))
    engine = teams.bot.services.engine
    async with engine.begin() as conn:  # fifty other safeguarding channels, one per locality
        await conn.execute(insert(channels), [
            {"locality": f"Place {i}", "channel_id": f"19:other{i}@thread.tacv2",
             "team_id": f"19:team{i}", "service_url": teams.emu.url,
             "tenant_id": teams.team.tenant_id} for i in range(50)])
    status, body = await intake(teams, INCIDENT)
    assert status == 201, body
    number = body["case_number"]
    root = (await teams.thread_of_case(number)).activity_id
    await asyncio.sleep(0.3)  # the thread's own follow-ups are sent

    in_channel = await turn(teams, lambda: teams.say(f"case {number}", "Dev Designated"))
    in_chat = await turn(teams, lambda: teams.dm(f"case {number}", "Dev Designated"))
    click = await turn(teams, lambda: teams.click(
        "route_path1", {"case": number, "version": 1, "level": "case_review"},
        "Dev Designated", reply_to=root))

    for seen in (in_channel, in_chat, click):
        assert scans(seen) == []
    for seen in (in_channel, in_chat, click):  # the gate and the service judge one reading
        assert sum("FROM role_grants" in flat(s) for s, _ in seen) == 1, seen
    assert by_id(in_chat) == []  # a 1:1 chat is no channel: nothing to look up
    for seen in (in_channel, click):
        lookups = by_id(seen)
        assert len(lookups) == 1, lookups
        [(sql, params)] = lookups
        async with engine.connect() as conn:  # the same statement reads one row, not 51
            rows = (await conn.exec_driver_sql(sql, params)).all()
            assert len(rows) == 1
            if engine.dialect.name == "sqlite":
                plan = " ".join(str(r[-1]) for r in await conn.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {sql}", params))
                assert "USING INDEX" in plan and "SCAN channels" not in plan, plan
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM channels"))).scalar_one() == 51


async def test_a_turn_that_changes_grants_reads_them_afresh(tmp_path: Any) -> None:
    """The once-per-turn reading of grants stops as soon as the turn changes a grant, whether
    that change is kept or rolled back; outside a turn nothing is remembered."""
    from storage.db import create_engine
    from storage.directory import turn_reads
    from storage.migrate import upgrade
    from storage.uow import SqlUnitOfWork
    from tracker.permissions import NATIONAL

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}")
    await upgrade(engine)

    async def grants() -> int:
        async with SqlUnitOfWork(engine) as uow:
            return len(await uow.directory.grants_for("aad-1"))

    async def grant(keep: bool) -> None:
        async with SqlUnitOfWork(engine) as uow:
            await uow.directory.add_grant("aad-1", "safeguarding_lead", NATIONAL)
            if keep:
                await uow.commit()

    try:
        with turn_reads():
            assert await grants() == 0
            await grant(keep=False)
            assert await grants() == 0
            await grant(keep=True)
            assert await grants() == 1
        with turn_reads():
            assert await grants() == 1
            async with engine.begin() as conn:  # another turn's change is not this turn's
                await conn.execute(text("DELETE FROM role_grants"))
            assert await grants() == 1  # this turn judges the reading it started with
        assert await grants() == 0
    finally:
        await engine.dispose()


WORKERS = ("liveness", "delivery", "reminders", "housekeeping", "outbox-")


def a_turn() -> bool:
    """Counted for inbound turns, not the background workers."""
    task = asyncio.current_task()
    return task is not None and not task.get_name().startswith(WORKERS)


async def test_a_case_n_turn_takes_one_connection_and_reads_in_one_transaction(
        teams: Driver) -> None:
    """`case N` in the channel: the dedupe insert is committed on its own; the channel, the
    grants and the case are read in one transaction (SQLite) or in autocommit (PostgreSQL,
    where the insert brings the channel and the grants with it); all on one connection."""
    await teams.setup_team("Lena Lead")
    status, body = await intake(teams, INCIDENT)
    assert status == 201, body
    number = body["case_number"]
    await teams.thread_of_case(number)
    await asyncio.sleep(0.3)  # the thread's own follow-ups are sent
    with counted(teams.bot.services.engine, a_turn) as seen:
        answer = await teams.say(f"case {number}", "Lena Lead")
    pg = teams.bot.services.engine.dialect.name == "postgresql"  # autocommit: nothing begun
    assert seen == {"checkouts": 1, "begins": 0 if pg else 2}
    assert f"Case {number}" in str(answer.body)

"""The statements of every turn (storage/hot.py): on PostgreSQL in autocommit they run straight
on asyncpg, elsewhere through SQLAlchemy, and either way give the same rows, the same errors and
the same type checks. Real SQLite here, real PostgreSQL in the CI leg."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import db
from storage.cases import _GET
from storage.directory import _CHANNEL, _GRANTS, turn_reads
from storage.hot import plan
from storage.inbound import _SEEN, first_time
from storage.lease import leased, transaction
from storage.tables import inbound_activities
from storage.uow import uow_factory
from tracker.model import Case, Identifier, IdKind
from tracker.permissions import NATIONAL, Grant
from tracker.ports import ChannelRef

pytestmark = pytest.mark.storage
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
CHANNEL = ChannelRef("https://smba.example/", "tenant-1", "T1", "19:chan@thread.tacv2", "devon")


def a_case() -> Case:
    return Case(number=0, locality="devon", region="south-west", created_at=NOW,
                reported_by="Trust", summary="Summary", incident_date=date(2026, 12, 1),
                date_added=NOW.date(), team_id="T1",
                identifiers=[Identifier(IdKind.STEIS, "2026/9")])


def test_every_turn_statement_has_an_asyncpg_plan() -> None:
    """If one lost its plan (say a column gained a type that needs processing), it would
    quietly go back through SQLAlchemy: still right, but the turn slower."""
    for hot in (_GRANTS, _CHANNEL, _GET, _SEEN):
        assert hot.pg is not None
    assert "$1" in _GRANTS.pg.sql  # type: ignore[union-attr]


def test_a_result_that_needs_its_type_processed_has_no_plan() -> None:
    """UTCDateTime makes every datetime read UTC-aware; asyncpg alone would not."""
    assert plan(select(inbound_activities.c.received_at)) is None


async def _setup(engine: AsyncEngine) -> int:
    uow = uow_factory(engine)
    async with uow() as u:
        number = await u.cases.add(a_case(), None)
        await u.directory.add_grant("aad-1", "safeguarding_lead", NATIONAL)
        await u.directory.set_channel(CHANNEL)
        await u.commit()
    return number


async def test_the_same_rows_either_way(engine: AsyncEngine) -> None:
    """A read-only unit (asyncpg on PostgreSQL) and a writing unit (SQLAlchemy everywhere)
    read the same grants and the same case."""
    number = await _setup(engine)
    uow = uow_factory(engine)
    async with leased(engine):
        async with uow(read_only=True) as u:
            grants_ro = await u.directory.grants_for("aad-1")
            case_ro = await u.cases.get(number)
            missing_ro = await u.cases.get(number + 1)
            channel_ro = await u.directory.channel_by_id(CHANNEL.channel_id)
    async with uow() as u:
        grants_rw = await u.directory.grants_for("aad-1")
        case_rw = await u.cases.get(number)
        channel_rw = await u.directory.channel_by_id(CHANNEL.channel_id)
    assert grants_ro == grants_rw == (Grant("safeguarding_lead", NATIONAL),)
    assert case_ro == case_rw and case_ro is not None and case_ro.summary == "Summary"
    assert missing_ro is None
    assert channel_ro == channel_rw == CHANNEL


async def test_a_read_inside_a_write_sees_that_writes_own_changes(engine: AsyncEngine) -> None:
    """Inside a transaction the statement goes through SQLAlchemy, on that transaction: never
    straight to the driver, where it would run outside it and miss what it wrote."""
    uow = uow_factory(engine)
    async with leased(engine):
        async with uow() as u:
            await u.directory.add_grant("aad-2", "safeguarding_lead", NATIONAL)
            assert len(await u.directory.grants_for("aad-2")) == 1  # not committed yet
        async with uow(read_only=True) as u:  # rolled back: gone
            assert await u.directory.grants_for("aad-2") == ()


async def test_the_dedupe_insert_keeps_its_type_check_and_its_duplicate_answer(
        engine: AsyncEngine) -> None:
    async with leased(engine):
        assert await first_time(engine, "activity-1", NOW)
        assert not await first_time(engine, "activity-1", NOW)  # a re-send: answered, not run
        with pytest.raises(StatementError, match="naive"):
            async with transaction(engine, single=True) as conn:
                await _SEEN.run(conn, {"activity_id": "a2", "received_at": datetime(2026, 1, 1)})
        assert await first_time(engine, "activity-2", NOW)  # the turn's connection still works


async def test_on_postgresql_the_reads_go_straight_to_asyncpg(engine: AsyncEngine) -> None:
    """Shown with SQLAlchemy's own statement event: in a read-only unit the turn's reads never
    pass through it; in a writing unit they do."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs every statement through SQLAlchemy")
    number = await _setup(engine)
    through: list[str] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _seen(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        through.append(statement.split()[0])

    uow = uow_factory(engine)
    async with leased(engine):
        assert await first_time(engine, "activity-9", NOW)
        async with uow(read_only=True) as u:
            await u.directory.grants_for("aad-1")
            await u.directory.channel_by_id(CHANNEL.channel_id)
            assert await u.cases.get(number) is not None
    assert through == []
    async with uow() as u:
        await u.cases.get(number)
    assert through == ["SELECT"]


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")
async def test_a_connection_dropped_under_a_straight_read_is_replaced(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The read fails as SQLAlchemy's would (the connection invalidated), and the next unit
    gets a new connection from the pool."""
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 60.0)
    engine = db.create_engine(PG_URL, pool_size=1)
    uow = uow_factory(engine)
    try:
        async with engine.connect() as conn:
            first = int((await conn.exec_driver_sql("SELECT pg_backend_pid()")).scalar_one())
        admin = await asyncpg.connect(PG_URL.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", first)
        finally:
            await admin.close()
        await asyncio.sleep(0.1)
        with pytest.raises(DBAPIError) as failed:
            async with uow(read_only=True) as u:
                await _GRANTS.rows(u.directory.conn, {"b_aad": "aad-1"})
        assert failed.value.connection_invalidated
        async with engine.connect() as conn:
            assert int((await conn.exec_driver_sql("SELECT pg_backend_pid()")).scalar_one()) \
                != first
    finally:
        await engine.dispose()


async def test_on_postgresql_a_turn_opens_with_one_statement_and_remembers_its_reads(
        engine: AsyncEngine) -> None:
    """The dedupe insert brings the sender's grants and the channel's set-up with it; the turn
    then reads neither again, until it changes one of them."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads in this process: the statements stay apart")
    await _setup(engine)
    through: list[str] = []

    def logged(query: Any) -> None:
        through.append(" ".join(query.query.split()))

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _listen(dbapi_conn: Any, *_: Any) -> None:
        dbapi_conn.driver_connection.remove_query_logger(logged)
        dbapi_conn.driver_connection.add_query_logger(logged)

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _seen(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        through.append(" ".join(statement.split()))

    async def sent() -> list[str]:
        await asyncio.sleep(0.05)  # asyncpg calls its loggers soon after
        out = list(through)
        through.clear()
        return out

    uow = uow_factory(engine)
    async with leased(engine):
        with turn_reads():
            assert await first_time(engine, "activity-1", NOW, "aad-1", CHANNEL.channel_id)
            [opening] = await sent()
            assert "INSERT INTO inbound_activities" in opening and "FROM role_grants" in opening
            assert "FROM channels" in opening
            async with uow(read_only=True) as u:
                assert await u.directory.grants_for("aad-1") == (
                    Grant("safeguarding_lead", NATIONAL),)
                assert await u.directory.channel_by_id(CHANNEL.channel_id) == CHANNEL
            assert await sent() == []  # remembered
            async with uow() as u:  # the turn moves the channel: read afresh from now on
                await u.directory.move_channel(ChannelRef(
                    CHANNEL.service_url, CHANNEL.tenant_id, "T2", "19:new@thread.tacv2",
                    CHANNEL.locality))
                await u.commit()
            async with uow(read_only=True) as u:
                assert await u.directory.channel_by_id(CHANNEL.channel_id) is None
                assert len(await u.directory.grants_for("aad-1")) == 1
            reads = [q for q in await sent() if q.startswith("SELECT")]
            assert ["FROM channels" in reads[0], "FROM role_grants" in reads[1]] == [True] * 2
        with turn_reads():  # a 1:1 chat asks no channel; a re-sent activity remembers nothing
            assert not await first_time(engine, "activity-1", NOW, "aad-1")
            [again] = await sent()
            assert "FROM channels" not in again
            async with uow(read_only=True) as u:
                await u.directory.grants_for("aad-1")
            assert len(await sent()) == 1


async def test_a_read_only_unit_cannot_run_a_turn_statement_that_writes(
        engine: AsyncEngine) -> None:
    """Raw SQL is no way round the read-only promise: refused before it is sent."""
    from storage.inbound import _OPEN_CHAT
    from storage.uow import ReadOnlyUnit

    uow = uow_factory(engine)
    async with leased(engine):
        async with uow(read_only=True) as u:
            with pytest.raises(ReadOnlyUnit):
                await _SEEN.run(u.directory.conn, {"activity_id": "x", "received_at": NOW})
            with pytest.raises(ReadOnlyUnit):
                await _OPEN_CHAT.rows(u.directory.conn, {
                    "activity_id": "x", "received_at": NOW, "aad_id": ""})
    assert await first_time(engine, "x", NOW)  # nothing was written

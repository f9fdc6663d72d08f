"""A turn's units of work share one pooled connection (storage/lease.py), and its reads share one
transaction. Each unit is still all or nothing; no connection is held while another task needs
it; an error gives the connection back. Counted with SQLAlchemy's own pool and connection
events, on a real database (SQLite here, PostgreSQL in the CI leg)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.inbound import first_time
from storage.lease import leased, let_go
from storage.uow import uow_factory
from tests.support.units import counted
from tracker.model import Case, Identifier, IdKind
from tracker.permissions import NATIONAL

pytestmark = pytest.mark.storage
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def a_case() -> Case:
    return Case(number=0, locality="devon", region="south-west", created_at=NOW,
                reported_by="Trust", summary="Summary", incident_date=date(2026, 12, 1),
                date_added=NOW.date(), team_id="T1",
                identifiers=[Identifier(IdKind.STEIS, "2026/9")])


async def test_a_turns_units_share_one_connection_and_its_reads_one_transaction(
        engine: AsyncEngine) -> None:
    uow = uow_factory(engine)
    async with uow() as u:
        number = await u.cases.add(a_case(), None)
        await u.commit()
    with counted(engine) as seen:
        async with leased(engine):
            assert await first_time(engine, "activity-1", NOW)  # a write, committed
            for _ in range(3):  # the channel, the grants, the case
                async with uow(read_only=True) as u:
                    assert (await u.cases.get(number)) is not None
    # PostgreSQL: the insert and the reads commit themselves (autocommit), nothing is begun
    pg = engine.dialect.name == "postgresql"
    assert seen == {"checkouts": 1, "begins": 0 if pg else 2}
    with counted(engine) as seen:  # without a lease, as before: one of each per unit
        for _ in range(3):
            async with uow(read_only=True) as u:
                await u.cases.get(number)
    assert seen == {"checkouts": 3, "begins": 0 if pg else 3}


async def test_a_write_after_reads_is_its_own_transaction_and_is_kept(
        engine: AsyncEngine) -> None:
    uow = uow_factory(engine)
    async with leased(engine):
        async with uow(read_only=True) as u:
            assert await u.directory.grants_for("aad-1") == ()
        async with uow() as u:
            await u.directory.add_grant("aad-1", "safeguarding_lead", NATIONAL)
            await u.commit()
        async with uow() as u:  # written, not committed: rolled back at the unit's end
            await u.directory.add_grant("aad-2", "safeguarding_lead", NATIONAL)
        async with uow(read_only=True) as u:
            assert len(await u.directory.grants_for("aad-1")) == 1
            assert await u.directory.grants_for("aad-2") == ()
    async with engine.connect() as conn:  # and seen from outside the lease
        rows = (await conn.execute(text("SELECT aad_id FROM role_grants"))).scalars().all()
    assert rows == ["aad-1"]


async def test_an_error_in_a_unit_gives_the_connection_back_and_the_turn_goes_on(
        engine: AsyncEngine) -> None:
    uow = uow_factory(engine)
    with counted(engine) as seen:
        async with leased(engine):
            with pytest.raises(RuntimeError):
                async with uow(read_only=True) as u:
                    await u.directory.grants_for("aad-1")
                    raise RuntimeError("a fault of ours")
            assert engine.sync_engine.pool.checkedout() == 0  # back in the pool at once
            async with uow() as u:
                await u.directory.add_grant("aad-1", "safeguarding_lead", NATIONAL)
                await u.commit()
    assert seen["checkouts"] == 2
    assert engine.sync_engine.pool.checkedout() == 0
    async with uow(read_only=True) as u:
        assert len(await u.directory.grants_for("aad-1")) == 1


async def test_a_duplicate_activity_is_refused_inside_a_lease_and_nothing_is_held(
        engine: AsyncEngine) -> None:
    async with leased(engine):
        assert await first_time(engine, "activity-1", NOW)
        assert not await first_time(engine, "activity-1", NOW)
        assert await first_time(engine, "activity-2", NOW)
    assert engine.sync_engine.pool.checkedout() == 0


async def test_another_task_of_the_turn_gets_a_connection_once_the_turn_lets_go(
        engine: AsyncEngine) -> None:
    """SQLite has one connection: a card click's work runs in a task of its own, which must
    not wait for the connection its parent leased (it would, until the pool's timeout)."""
    uow = uow_factory(engine)

    async def child() -> int:
        async with uow(read_only=True) as u:
            return len(await u.directory.grants_for("aad-1"))

    async with leased(engine):
        async with uow(read_only=True) as u:  # the lease now holds a connection
            await u.directory.grants_for("aad-1")
        await let_go()
        assert await asyncio.wait_for(asyncio.create_task(child()), 10) == 0
        async with uow(read_only=True) as u:  # and the turn takes one again afterwards
            assert await u.directory.grants_for("aad-1") == ()
    assert engine.sync_engine.pool.checkedout() == 0


async def test_a_unit_inside_a_unit_takes_its_own_connection(engine: AsyncEngine) -> None:
    """The lease serves one unit at a time: an inner unit (another task's, or nested) never
    shares the outer one's transaction."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one connection: a nested unit waits for it (as without a lease)")
    uow = uow_factory(engine)
    async with leased(engine):
        async with uow() as outer:
            await outer.directory.add_grant("aad-1", "safeguarding_lead", NATIONAL)
            async with uow(read_only=True) as inner:  # outer's change is not committed
                assert await inner.directory.grants_for("aad-1") == ()
            await outer.commit()
        async with uow(read_only=True) as u:
            assert len(await u.directory.grants_for("aad-1")) == 1


async def test_on_postgresql_reads_and_the_dedupe_insert_send_no_begin_or_commit(
        engine: AsyncEngine) -> None:
    """Round trips are what a turn waits on with PostgreSQL. asyncpg logs every BEGIN, COMMIT
    and ROLLBACK it sends (its query logger): a `case N` turn's dedupe insert and three reads
    send none; a write after them is still BEGIN ... COMMIT."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's BEGIN and COMMIT are calls in this process, not round trips")
    sent: list[str] = []

    def log(query: Any) -> None:
        word = " ".join(query.query.split()).split(" ")[0].strip(";").upper()
        if word in ("BEGIN", "COMMIT", "ROLLBACK"):  # not the statements storage/hot.py runs
            sent.append(word)

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def _logged(dbapi_conn: Any, *_: Any) -> None:
        raw = dbapi_conn.driver_connection
        raw.remove_query_logger(log)
        raw.add_query_logger(log)

    async def sent_now() -> list[str]:
        await asyncio.sleep(0.05)  # asyncpg calls its loggers soon after, not at once
        out = list(sent)
        sent.clear()
        return out

    uow = uow_factory(engine)
    async with uow() as u:
        number = await u.cases.add(a_case(), None)
        await u.commit()
    assert await sent_now() == ["BEGIN", "COMMIT"]  # the logger hears every one
    async with leased(engine):
        assert await first_time(engine, "activity-1", NOW)
        for _ in range(3):
            async with uow(read_only=True) as u:
                assert (await u.cases.get(number)) is not None
        assert await sent_now() == []
        async with uow() as u:
            await u.directory.add_grant("aad-1", "safeguarding_lead", NATIONAL)
            await u.commit()
        assert await sent_now() == ["BEGIN", "COMMIT"]
        async with uow(read_only=True) as u:  # reads are back in autocommit after it
            assert len(await u.directory.grants_for("aad-1")) == 1
        assert await sent_now() == []
    async with engine.connect() as conn:  # a connection back from the pool is as it was
        assert await conn.get_isolation_level() == "READ COMMITTED"
        assert conn.sync_connection is not None
        assert "isolation_level" not in conn.sync_connection.get_execution_options()


async def test_a_read_only_unit_that_tries_to_write_is_refused_and_nothing_is_written(
        engine: AsyncEngine) -> None:
    """A read-only unit runs in autocommit on PostgreSQL, where a write would be kept at once:
    a write from one is a fault of ours, refused before it reaches the database."""
    from storage.uow import ReadOnlyUnit

    uow = uow_factory(engine)
    async with leased(engine):
        with pytest.raises(ReadOnlyUnit):
            async with uow(read_only=True) as u:
                await u.directory.add_grant("aad-1", "safeguarding_lead", NATIONAL)
        with pytest.raises(ReadOnlyUnit):
            async with uow(read_only=True) as u:
                await u.cases.add(a_case(), None)
    async with uow(read_only=True) as u:
        assert await u.directory.grants_for("aad-1") == ()
        assert (await u.cases.get(1)) is None

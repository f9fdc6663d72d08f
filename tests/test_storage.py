"""Storage on a real database (SQLite here, PostgreSQL in the CI leg)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.outbox import OutboxQueue
from storage.uow import uow_factory
from tracker.model import Case, Identifier, IdKind, State
from tracker.permissions import Scope, ScopeKind
from tracker.ports import CaseFilter, ConcurrentChange, DuplicateIdentifier, Notice, NoticeKind

pytestmark = pytest.mark.storage
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def new_case(locality: str = "devon", region: str = "south-west", team: str = "T1") -> Case:
    return Case(number=0, locality=locality, region=region, created_at=NOW,
                reported_by="Trust", summary="Summary", incident_date=date(2026, 11, 20),
                date_added=NOW.date(), team_id=team,
                identifiers=[Identifier(IdKind.STEIS, "2026/1")])


async def test_case_numbers_are_short_and_sequential(engine: AsyncEngine) -> None:
    uow = uow_factory(engine)
    numbers = []
    for _ in range(3):
        async with uow() as u:
            numbers.append(await u.cases.add(new_case(), None))
            await u.commit()
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2] and numbers[0] == 1


async def test_round_trip_and_optimistic_version(engine: AsyncEngine) -> None:
    uow = uow_factory(engine)
    async with uow() as u:
        n = await u.cases.add(new_case(), None)
        await u.commit()
    async with uow() as u:
        case = await u.cases.get(n)
        assert case is not None and case.created_at == NOW and case.created_at.tzinfo
        assert case.identifiers == [Identifier(IdKind.STEIS, "2026/1")]
        case.state, case.version = State.TRIAGED, 2
        await u.cases.save(case, 1, date(2026, 12, 1))
        await u.commit()
    async with uow() as u:
        stale = await u.cases.get(n)
        assert stale is not None and stale.state is State.TRIAGED
        with pytest.raises(ConcurrentChange):
            await u.cases.save(stale, 1, None)  # version 1 is gone
    async with uow() as u:
        assert await u.cases.get(999999) is None and await u.cases.get(-1) is None


async def test_identifiers_are_unique(engine: AsyncEngine) -> None:
    uow = uow_factory(engine)
    async with uow() as u:
        a = await u.cases.add(new_case(), None)
        await u.cases.claim_identifiers(a, [(IdKind.STEIS, "2026/1")])
        await u.commit()
    with pytest.raises(DuplicateIdentifier) as dup:
        async with uow() as u:
            b = await u.cases.add(new_case(), None)
            await u.cases.claim_identifiers(b, [(IdKind.STEIS, "2026/1")])
    assert dup.value.case_number == a
    async with uow() as u:
        assert await u.cases.find_by_identifier(IdKind.STEIS, "2026/1") == a
        assert await u.cases.count(CaseFilter(scopes=[Scope(ScopeKind.NATIONAL)])) == 1


async def test_lists_are_scoped(engine: AsyncEngine) -> None:
    uow = uow_factory(engine)
    async with uow() as u:
        await u.cases.add(new_case("devon", "south-west", "T1"), None)
        await u.cases.add(new_case("kent-and-medway", "south-east", "T2"), None)
        await u.commit()
    async with uow() as u:
        def numbers(*scopes: Scope) -> CaseFilter:
            return CaseFilter(scopes=scopes)
        devon = await u.cases.list(numbers(Scope(ScopeKind.LOCALITY, "devon")))
        assert [c.locality for c in devon] == ["devon"]
        assert len(await u.cases.list(numbers(Scope(ScopeKind.REGION, "south-east")))) == 1
        assert await u.cases.list(numbers(Scope(ScopeKind.TEAM, "T2"))) == []  # retired
        assert len(await u.cases.list(numbers(Scope(ScopeKind.NATIONAL)))) == 2
        assert await u.cases.list(numbers()) == []  # no scope sees nothing


async def test_outbox_orders_lanes_and_coalesces_card_updates(engine: AsyncEngine) -> None:
    uow = uow_factory(engine, now=lambda: NOW)
    async with uow() as u:
        await u.outbox.enqueue(Notice(NoticeKind.NEW_THREAD, 1, card="case", key="thread:1"))
        await u.outbox.enqueue(Notice(NoticeKind.NEW_THREAD, 1, card="case", key="thread:1"))
        await u.outbox.enqueue(Notice(NoticeKind.CARD_UPDATE, 1, card="case"))
        await u.outbox.enqueue(Notice(NoticeKind.CARD_UPDATE, 1, card="case"))
        await u.outbox.enqueue(Notice(NoticeKind.THREAD_REPLY, 1, text="hello"))
        await u.outbox.enqueue(Notice(NoticeKind.THREAD_REPLY, 2, text="other case"))
        await u.commit()
    queue = OutboxQueue(engine, "test", timedelta(seconds=30))
    first = await queue.claim(NOW)
    assert sorted((r.case_number, r.kind) for r in first) == [(1, "new_thread"),
                                                              (2, "thread_reply")]
    assert await queue.claim(NOW) == []  # leased, and lane 1's next row waits its turn
    for row in first:
        await queue.sent(row.id, "a1", NOW)
    second = await queue.claim(NOW)
    assert [r.kind for r in second] == ["card_update"]  # the two updates became one
    await queue.sent(second[0].id, "a2", NOW)
    assert [r.kind for r in await queue.claim(NOW)] == ["thread_reply"]


async def test_events_are_append_only(engine: AsyncEngine) -> None:
    from tracker.ports import EventRecord

    uow = uow_factory(engine)
    async with uow() as u:
        await u.events.append(EventRecord(1, "case_logged", "29:a", "aad", "Alice", NOW,
                                          {"what": "case logged"}))
        await u.commit()
    for stmt in ("UPDATE case_events SET kind = 'x'", "DELETE FROM case_events"):
        with pytest.raises(Exception, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text(stmt))
    async with uow() as u:
        history = await u.events.history(1, 0, 10)
        assert [e.kind for e in history] == ["case_logged"] and history[0].at == NOW


async def test_two_installations_of_one_team_at_once_are_one_row(engine: AsyncEngine) -> None:
    """Teams sends installationUpdate and conversationUpdate together when the bot is added:
    the second turn's insert meets the first's row (on PostgreSQL it waits for the first to
    commit, then fails on the key). It is an update, not an error: one row, one "new"."""
    import asyncio

    from tracker.ports import Installation

    inst = Installation("https://smba.example/uk/", "tenant-1", "team-1", "team-1", "team-1",
                        "28:bot", "Safeguarding")
    uow = uow_factory(engine)
    first_inserted = asyncio.Event()

    async def first() -> bool:
        async with uow() as u:
            new = await u.directory.record_installation(inst)
            first_inserted.set()
            await asyncio.sleep(0.3)  # the second is now waiting on this row's key
            await u.commit()
            return new

    async def second() -> bool:
        await first_inserted.wait()
        async with uow() as u:
            new = await u.directory.record_installation(inst)
            await u.commit()
            return new

    assert sorted(await asyncio.gather(first(), second())) == [False, True]
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT team_id FROM installations"))).scalars().all()
    assert rows == ["team-1"]

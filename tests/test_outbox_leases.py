"""The outbox under several workers, on SQLite and PostgreSQL: claims never overlap, a lease
runs out when its worker dies, and a delivery is recorded with its thread in one commit."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.instances import all_instances, beat
from storage.outbox import OutboxQueue
from storage.reminders import claim_due
from storage.threads import ThreadRef, Threads
from storage.uow import uow_factory
from tracker.ports import Notice, NoticeKind, Reminder

pytestmark = pytest.mark.storage
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


@pytest.fixture
async def second(database, engine) -> AsyncIterator[AsyncEngine]:  # type: ignore[no-untyped-def]
    """Another process's connection pool on the same database."""
    eng = create_engine(database.url, schema=database.schema)
    yield eng
    await eng.dispose()


async def queue_replies(engine: AsyncEngine, cases: int, per_case: int) -> None:
    async with uow_factory(engine, now=lambda: NOW)() as u:
        for n in range(1, cases + 1):
            for i in range(per_case):
                await u.outbox.enqueue(Notice(NoticeKind.THREAD_REPLY, n, text=f"{n}.{i}"))
        await u.commit()


async def test_concurrent_claims_never_overlap(engine: AsyncEngine, second: AsyncEngine) -> None:
    await queue_replies(engine, cases=40, per_case=3)
    a, b = OutboxQueue(engine, "a", LEASE), OutboxQueue(second, "b", LEASE)
    seen: list[tuple[str, int, int]] = []  # (worker, row id, case)

    async def drain(q: OutboxQueue) -> None:
        while rows := await q.claim(NOW, limit=7):
            for r in rows:
                seen.append((q.worker_id, r.id, r.case_number or 0))
            await asyncio.gather(*(q.sent(r.id, f"act-{r.id}", NOW) for r in rows))

    await asyncio.gather(drain(a), drain(b), drain(a), drain(b))
    ids = [row_id for _, row_id, _ in seen]
    assert len(ids) == len(set(ids)) == 120  # every row once, none twice
    by_case: dict[int, list[int]] = {}
    for _, row_id, case in seen:
        by_case.setdefault(case, []).append(row_id)
    assert all(v == sorted(v) for v in by_case.values())  # each lane in order


async def test_a_dead_workers_lease_runs_out(engine: AsyncEngine, second: AsyncEngine) -> None:
    await queue_replies(engine, cases=1, per_case=2)
    dead = OutboxQueue(engine, "dead", timedelta(seconds=5))
    taken = await dead.claim(NOW)
    assert [r.id for r in taken] == [1]
    alive = OutboxQueue(second, "alive", LEASE)
    assert await alive.claim(NOW + timedelta(seconds=4)) == []  # still leased; lane waits
    again = await alive.claim(NOW + timedelta(seconds=6))
    assert [r.id for r in again] == [1]


async def test_renewal_keeps_a_slow_send_leased(engine: AsyncEngine, second: AsyncEngine) -> None:
    await queue_replies(engine, cases=1, per_case=1)
    slow = OutboxQueue(engine, "slow", timedelta(seconds=5))
    [row] = await slow.claim(NOW)
    await slow.renew([row.id], NOW + timedelta(seconds=4))
    other = OutboxQueue(second, "other", LEASE)
    assert await other.claim(NOW + timedelta(seconds=8)) == []
    assert await other.release_claims_of(["nobody"]) == 0
    assert await other.release_claims_of(["slow"]) == 1  # e.g. its process is gone
    assert [r.id for r in await other.claim(NOW + timedelta(seconds=8))] == [row.id]


async def test_sent_stores_the_thread_in_the_same_commit_and_first_wins(
        engine: AsyncEngine) -> None:
    async with uow_factory(engine, now=lambda: NOW)() as u:
        await u.outbox.enqueue(Notice(NoticeKind.NEW_THREAD, 7, card="case", key="thread:7"))
        await u.outbox.enqueue(Notice(NoticeKind.THREAD_REPLY, 7, text="waits for the thread"))
        await u.commit()
    q = OutboxQueue(engine, "w", LEASE)
    [row] = await q.claim(NOW)
    ref = ThreadRef(7, "https://smba/", "tenant", "team", "19:chan", "19:chan;messageid=1", "1")
    recorded = await q.sent(row.id, "1", NOW, thread=ref, lane=row.lane)
    assert recorded.activity_id == "1" and recorded.more_in_lane  # the reply may go now
    [reply] = await q.claim(NOW)
    assert not (await q.sent(reply.id, "2", NOW, lane=reply.lane)).more_in_lane
    assert await Threads(engine).get(7) == ref
    other = ThreadRef(7, "https://smba/", "tenant", "team", "19:chan", "19:chan;messageid=2", "2")
    assert await Threads(engine).save(other) == ref  # a second thread never replaces the first
    assert not await q.thread_failed(7)


async def test_reminder_claims_never_overlap(engine: AsyncEngine, second: AsyncEngine) -> None:
    async with uow_factory(engine, now=lambda: NOW)() as u:
        for n in range(1, 31):
            await u.reminders.upsert(Reminder(n, "ack", NOW - timedelta(minutes=1)))
        await u.commit()
    lease = timedelta(minutes=2)
    got = await asyncio.gather(*(claim_due(e, NOW, lease, limit=4)
                                 for e in (engine, second) * 5))
    keys = [(r.case_number, r.kind) for batch in got for r in batch]
    assert len(keys) == len(set(keys)) == 30  # all claimed, none twice
    assert await claim_due(second, NOW + timedelta(minutes=1), lease) == []  # still leased
    assert len(await claim_due(second, NOW + timedelta(minutes=3), lease)) == 30


async def test_instances_beat_and_a_killed_local_process_is_seen_as_gone(
        engine: AsyncEngine) -> None:
    from teams_bot.outbound.liveness import HOST, process_gone

    proc = await asyncio.to_thread(subprocess.Popen,  # not reaped by asyncio: a zombie is left
                                   [sys.executable, "-c", "import time; time.sleep(60)"])
    await beat(engine, "victim", HOST, proc.pid, NOW)
    await beat(engine, "victim", HOST, proc.pid, NOW + timedelta(seconds=5))
    [inst] = await all_instances(engine)
    assert inst.seen_at == NOW + timedelta(seconds=5)
    assert not process_gone(proc.pid)
    proc.kill()
    for _ in range(100):  # killed, not yet reaped: a zombie counts as gone
        if process_gone(proc.pid):
            break
        await asyncio.sleep(0.02)
    assert process_gone(proc.pid) and proc.returncode is None
    await asyncio.to_thread(proc.wait)
    assert process_gone(proc.pid)

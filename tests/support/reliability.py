"""Helpers for the reliability tests: a clock that moves with real time, intake over HTTP,
and checks that every outbox row reached the emulator exactly once, in order per lane."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import outbox
from teams_bot.http import keys as K
from tracker.clock import FixedClock

from .emulator import Call, ConnectorEmulator
from .harness import Driver, start_bot

API_KEY = "test-intake-key-0123456789"


class FlowingClock(FixedClock):
    """Starts at `start` and runs with real time, so retries and leases fall due by themselves;
    `advance` still jumps it forward."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._now + timedelta(seconds=time.monotonic() - self._t0)


def incident(i: int, steis: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reported_by": "Riverside NHS Foundation Trust", "locality": "Devon",
        "incident_date": "2026-11-20", "summary": f"Serious incident {i}: multi-agency concerns.",
    }
    if steis:
        body["steis_number"] = f"2026/{9000 + i}"
    return body


async def intake(session: aiohttp.ClientSession, bot_url: str, body: Any,
                 key: str = API_KEY) -> tuple[int, Any]:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    async with session.post(f"{bot_url}/api/incidents", data=data, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {key}"}) as r:
        text = await r.text()
        try:
            return r.status, json.loads(text)
        except ValueError:
            return r.status, text


@asynccontextmanager
async def live_driver(settings: Any, emulator: ConnectorEmulator, schema: str | None,
                      retry_base: float = 0.05) -> AsyncIterator[Driver]:
    """The bot with a real-time clock and quick retries, driven as Teams would."""
    from datetime import UTC
    clock = FlowingClock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    running = await start_bot(settings, clock, schema=schema)
    running.app[K.DELIVERY].retry_base = retry_base
    try:
        async with aiohttp.ClientSession() as session:
            yield Driver(running, emulator, session, emulator.team)
    finally:
        await running.stop()


async def rows(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return list(await conn.execute(select(outbox).order_by(outbox.c.id)))


async def settled(engine: AsyncEngine, timeout: float = 20.0) -> list[Any]:  # noqa: ASYNC109
    """Wait until nothing is pending; return every outbox row."""
    deadline = time.monotonic() + timeout
    while True:
        current = await rows(engine)
        if all(r.status != "pending" for r in current):
            return current
        if time.monotonic() > deadline:
            left = [(r.id, r.kind, r.attempts, r.last_error) for r in current
                    if r.status == "pending"]
            raise AssertionError(f"outbox still pending after {timeout}s: {left}")
        await asyncio.sleep(0.05)


def writes_by_activity(emu: ConnectorEmulator) -> dict[str, list[Call]]:
    """Successful write calls, grouped by the activity they created or updated."""
    out: dict[str, list[Call]] = defaultdict(list)
    for c in emu.calls:
        if c.ok and c.kind in ("create", "send", "reply", "update") and c.activity_id:
            out[c.activity_id].append(c)
    return out


def assert_exactly_once_in_order(emu: ConnectorEmulator, sent: list[Any]) -> None:
    """Each sent row produced exactly one new Teams message (updates may repeat the target),
    no message appeared twice, and each lane's messages reached Teams in outbox order."""
    created = [c for c in emu.calls if c.ok and c.kind in ("create", "send", "reply")
               and c.activity_id]
    new_ids = Counter(c.activity_id for c in created)
    assert all(n == 1 for n in new_ids.values()), "an activity id was created twice"
    index = {c.activity_id: i for i, c in enumerate(emu.calls)
             if c.ok and c.kind in ("create", "send", "reply")}
    posting = [r for r in sent if r.kind != "card_update" and not r.kind.endswith("_update")]
    ids = [r.activity_id for r in posting]
    assert len(ids) == len(set(ids)), "two outbox rows claim the same Teams message"
    for r in posting:
        assert r.activity_id in index, f"outbox row {r.id} ({r.kind}) is not in Teams"
    updates = Counter(c.activity_id for c in emu.calls if c.ok and c.kind == "update")
    sent_updates = Counter(r.activity_id for r in sent if r.kind.endswith("_update"))
    assert updates == sent_updates, "card updates reached Teams a different number of times"
    lanes: dict[str, list[int]] = defaultdict(list)
    for r in posting:
        lanes[r.lane].append(index[r.activity_id])
    for lane, order in lanes.items():
        assert order == sorted(order), f"lane {lane} was delivered out of order"

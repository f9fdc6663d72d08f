"""(b) Storage: with 100,000 cases and 1,000,000 events loaded, the latency of the queries behind
`case N`, `cases`, `overdue` and `agenda`, through the same service calls the commands make,
on SQLite and on PostgreSQL. Measured before and after the indexes of our migration, to show
what each one is for."""

from __future__ import annotations

import gc
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, is_sqlite
from storage.migrate import upgrade
from storage.tables import case_events, cases, role_grants
from storage.uow import uow_factory
from tracker.clock import SystemClock
from tracker.model import Actor, Case, Decision, Identifier, IdKind, State, case_to_dict
from tracker.reference import Reference
from tracker.service import CaseService, ServiceOptions

from .common import percentile

OPEN = [State.NEW, State.TRIAGED, State.PANEL, State.RAPID_REVIEW, State.REVIEW, State.SI]
CLOSED = [State.CLOSED_PUBLISHED, State.CLOSED_NO_REVIEW, State.CLOSED_NFA, State.CLOSED_SI]
NATIONAL = Actor(teams_id="29:national", aad_id="bench-national-admin", name="National Lead")
LOCAL = Actor(teams_id="29:local", aad_id="bench-devon-lead", name="Devon Lead")
QUERIES = ("case N", "cases", "overdue", "agenda")


@dataclass(frozen=True)
class QueryTiming:
    query: str
    scope: str
    p50_ms: float
    p99_ms: float
    rows: int


@dataclass
class StorageResult:
    backend: str
    cases: int
    events: int
    load_seconds: float
    before: list[QueryTiming]
    after: list[QueryTiming]
    index_seconds: float


def _record(n: int, loc: Any, state: State, rng: random.Random) -> dict[str, Any]:
    created = datetime(2021, 4, 1, tzinfo=UTC) + timedelta(minutes=n * 9)
    case = Case(number=n, locality=loc.key, region=loc.region, created_at=created,
                reported_by="Riverside NHS Foundation Trust",
                summary="Serious incident; multi-agency concerns.",
                incident_date=created.date(), date_added=created.date(), state=state,
                version=3, identifiers=[Identifier(IdKind.STEIS, f"2021/{n}")],
                investigation_level="case_review", team_id="19:bench@thread.tacv2",
                decisions=[Decision(what="triage", detail="Case review", by="A Lead",
                                    by_aad="aad", at=created)])
    return case_to_dict(case)


Shape = Callable[[dict[str, Any], random.Random], None]


def _rows(n_cases: int, n_events: int, seed: int = 7,  # type: ignore[type-arg]
          shape: Shape | None = None) -> tuple[list[dict], list[dict]]:
    rng = random.Random(seed)
    ref = Reference.load()
    locs = list(ref.localities.values())
    today = datetime.now(UTC).date()
    case_rows = []
    for n in range(1, n_cases + 1):
        state = rng.choice(OPEN) if rng.random() < 0.25 else rng.choice(CLOSED)
        loc = rng.choice(locs)
        due = today + timedelta(days=rng.randint(-60, 120)) if not state.closed else None
        rec = _record(n, loc, state, rng)
        case_rows.append({"number": n, "state": state.value, "is_open": not state.closed,
                          "locality": loc.key, "region": loc.region,
                          "team_id": "19:bench@thread.tacv2",
                          "created_at": datetime.fromisoformat(rec["created_at"]),
                          "next_due": due, "version": 3, "record": rec})
        if shape is not None:  # another benchmark's fuller records (bench/tab_bench.py)
            shape(case_rows[-1], rng)
    at = datetime(2021, 4, 1, tzinfo=UTC)
    event_rows = [{"case_number": 1 + i % n_cases, "kind": "edited", "actor_teams_id": "29:x",
                   "actor_aad_id": "aad-x", "actor_name": "A Lead",
                   "at": at + timedelta(seconds=i),
                   "data": {"what": "edited", "changes": {"stage": {"old": "a", "new": "b"}}}}
                  for i in range(n_events)]
    return case_rows, event_rows


async def load(engine: AsyncEngine, n_cases: int, n_events: int,
               shape: Shape | None = None) -> float:
    t0 = time.perf_counter()
    case_rows, event_rows = _rows(n_cases, n_events, shape=shape)
    if is_sqlite(str(engine.url)):
        async with engine.begin() as conn:
            for i in range(0, len(case_rows), 5000):
                await conn.execute(insert(cases), case_rows[i:i + 5000])
            for i in range(0, len(event_rows), 20000):
                await conn.execute(insert(case_events), event_rows[i:i + 20000])
    else:
        await _copy(engine, case_rows, event_rows)
    async with engine.begin() as conn:
        await conn.execute(insert(role_grants), [
            {"aad_id": LOCAL.aad_id, "role": "safeguarding_lead", "scope_kind": "locality",
             "scope_key": "devon"}])
    await settle(engine)
    return time.perf_counter() - t0


async def settle(engine: AsyncEngine) -> None:
    """Statistics for the planner; on PostgreSQL also the visibility map, as autovacuum keeps
    it on a live database (straight after a bulk load, a count of open cases cannot use an
    index-only scan and reads the whole table: 48 ms instead of 3)."""
    if is_sqlite(str(engine.url)):
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
        return
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE"))


async def _copy(engine: AsyncEngine, case_rows: list[dict], event_rows: list[dict]) -> None:  # type: ignore[type-arg]
    """PostgreSQL's COPY, through asyncpg: the fast way in for a million rows."""
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        schema = await raw.fetchval("SELECT current_schema()")
        cols = list(case_rows[0])
        await raw.copy_records_to_table(
            "cases", schema_name=schema, columns=cols,
            records=[tuple(json.dumps(r[c]) if c == "record" else r[c] for c in cols)
                     for r in case_rows])
        ecols = ["case_number", "kind", "actor_teams_id", "actor_aad_id", "actor_name", "at",
                 "data"]
        await raw.copy_records_to_table(
            "case_events", schema_name=schema, columns=ecols,
            records=[tuple(json.dumps(r[c]) if c == "data" else r[c] for c in ecols)
                     for r in event_rows])
        await raw.execute("SELECT setval(pg_get_serial_sequence('cases', 'number'), "
                          "(SELECT max(number) FROM cases))")
        await conn.commit()


async def measure(engine: AsyncEngine, n_cases: int, runs: int) -> list[QueryTiming]:
    service = CaseService(uow_factory(engine), Reference.load(), SystemClock(),
                          admins=[NATIONAL.aad_id], options=ServiceOptions(working_hours=None))
    rng = random.Random(11)
    out = []
    for scope, actor in (("national", NATIONAL), ("one ICB", LOCAL)):
        for query in QUERIES:
            times, rows = [], 0
            for i in range(runs + 5):
                t0 = time.perf_counter()
                if query == "case N":
                    n = rng.randint(1, n_cases)
                    try:
                        await service.get_case(actor, n)
                        rows = 1
                    except Exception:  # a case outside this scope answers "not found"
                        rows = 1
                elif query == "cases":
                    found, _total = await service.list_cases(actor)
                    rows = len(found)
                elif query == "overdue":
                    rows = len(await service.overdue(actor))
                else:
                    rows = len(await service.agenda(actor))
                if i >= 5:  # the first few warm the caches
                    times.append(time.perf_counter() - t0)
            out.append(QueryTiming(query, scope, percentile(times, 50) * 1000,
                                   percentile(times, 99) * 1000, rows))
    return out


async def run_storage(url: str, schema: str | None, n_cases: int, n_events: int, runs: int,
                      before_revision: str) -> StorageResult:
    engine = create_engine(url, schema=schema)
    try:
        await upgrade(engine, before_revision)
        took = await load(engine, n_cases, n_events)
        gc.collect()  # the million rows just loaded are garbage now; don't time their freeing
        before = await measure(engine, n_cases, runs)
        t0 = time.perf_counter()
        await upgrade(engine)  # our indexes, built on the loaded tables
        await settle(engine)
        index_seconds = time.perf_counter() - t0
        after = await measure(engine, n_cases, runs)
    finally:
        await engine.dispose()
    backend = "SQLite" if is_sqlite(url) else "PostgreSQL"
    return StorageResult(backend, n_cases, n_events, took, before, after, index_seconds)


def today() -> date:
    return datetime.now(UTC).date()

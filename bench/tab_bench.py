"""(e) The tab: the server's own time (its `Server-Timing` header) for the Cases page's first
page, filtered, and for the Statistics page of a region and a quarter, with 100,000 cases and
1,000,000 events loaded by the storage benchmark's bulk loader (records given a route, review
type, stage, themes and closing dates here), on SQLite and PostgreSQL. The server is the real
app (`create_app`) on a free port, in local mode: people are picked as in the try-out."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import insert, text

from storage.cases import BACKFILL_SQL
from storage.db import create_engine, is_sqlite
from storage.migrate import upgrade
from storage.tables import people, role_grants
from tracker.model import ReviewType, State
from tracker.reference import Reference

from .common import free_port, percentile
from .storage_bench import LOCAL, NATIONAL, load, settle

REGIONAL = "bench-region-lead"
PATH1 = {State.PANEL, State.RAPID_REVIEW, State.REVIEW, State.CLOSED_PUBLISHED,
         State.CLOSED_NO_REVIEW}
TARGET_CASES_P99 = 100.0
TARGET_STATS_P99 = 300.0
QUARTER = "2022-Q1"  # the bulk loader's cases run from April 2021 to December 2022


@dataclass(frozen=True)
class TabTiming:
    page: str
    who: str
    first_ms: float  # the first request (charts not yet drawn)
    p50_ms: float
    p99_ms: float
    rows: str
    target_ms: float


@dataclass
class TabResult:
    backend: str
    cases: int
    events: int
    timings: list[TabTiming]


def shape(row: dict[str, Any], rng: random.Random) -> None:
    """Give a bulk-loaded case what the tab filters and counts on."""
    rec, state = row["record"], State(row["state"])
    stages = [o.key for o in Reference.load().options["review_stages"]]
    themes = ["physical", "domestic", "sexual", "neglect", "emotional", "exploitation"]
    if state in PATH1:
        rec["route"] = "path1"
        rec["review_type"] = rng.choice([ReviewType.RAPID_REVIEW, ReviewType.CSPR,
                                         ReviewType.SAR, ReviewType.DHR]).value
        rec["converted"] = rec["review_type"] == "cspr" and rng.random() < 0.3
        rec["stage"] = rng.choice(stages) if state is State.REVIEW else ""
    elif state in (State.SI, State.CLOSED_SI):
        rec["route"] = "path2"
    elif state is State.CLOSED_NFA:
        rec["route"] = "nfa"
    rec["themes"] = rng.sample(themes, rng.randint(0, 2))
    if state.closed:
        created = datetime.fromisoformat(rec["created_at"])
        closed = created + timedelta(days=rng.randint(20, 300))
        rec["review_started_on"] = (created + timedelta(days=10)).date().isoformat()
        rec["decisions"].append({"what": "closed", "by": "A Lead", "by_aad": "aad",
                                 "at": closed.isoformat(), "detail": ""})
        if state is State.CLOSED_PUBLISHED:
            rec["published_on"] = closed.date().isoformat()


async def _prepare(url: str, schema: str | None, n_cases: int, n_events: int) -> None:
    engine = create_engine(url, schema=schema)
    try:
        await upgrade(engine)
        await load(engine, n_cases, n_events, shape)
        sqlite = is_sqlite(url)
        async with engine.begin() as conn:
            for sql in BACKFILL_SQL["sqlite" if sqlite else "postgresql"]:
                await conn.execute(text(sql))
            await conn.execute(insert(people), [
                {"aad_id": a, "teams_id": f"29:{a}", "name": n, "upn": ""}
                for a, n in ((NATIONAL.aad_id, "National Lead"), (LOCAL.aad_id, "Devon Lead"),
                             (REGIONAL, "South West Lead"))])
            await conn.execute(insert(role_grants), [
                {"aad_id": REGIONAL, "role": "regional_safeguarding_lead",
                 "scope_kind": "region", "scope_key": "south-west"}])
        await settle(engine)
    finally:
        await engine.dispose()


PAGES = (
    ("Cases: one ICB, overdue, by due date", NATIONAL.aad_id,
     "/tab/api/cases?icb=devon&overdue=1&sort=due", TARGET_CASES_P99),
    ("Cases: ICB lead, CSPRs, open and closed, newest added", LOCAL.aad_id,
     "/tab/api/cases?review_type=cspr&status=all&sort=-added", TARGET_CASES_P99),
    ("Cases: national, open, newest", NATIONAL.aad_id, "/tab/api/cases", TARGET_CASES_P99),
    ("Statistics: a region and a quarter", REGIONAL,
     f"/tab/api/stats?area=region:south-west&period={QUARTER}", TARGET_STATS_P99),
    ("Statistics: national lead, a region and a quarter", NATIONAL.aad_id,
     f"/tab/api/stats?area=region:south-west&period={QUARTER}", TARGET_STATS_P99),
)


async def _measure(base: str, runs: int) -> list[TabTiming]:
    out = []
    async with aiohttp.ClientSession() as http:
        for page, who, path, target in PAGES:
            times: list[float] = []
            first, rows = 0.0, ""
            for i in range(runs + 5):
                async with http.get(base + path, headers={"X-Tab-As": who}) as r:
                    body = await r.text()
                    assert r.status == 200, (r.status, body[:200])
                    ms = float(r.headers["Server-Timing"].split("dur=")[1])
                if i == 0:
                    first = ms
                    rows = _rows(body)
                if i >= 5:  # the first few warm the caches
                    times.append(ms)
            name = {NATIONAL.aad_id: "national", LOCAL.aad_id: "one ICB",
                    REGIONAL: "one region"}[who]
            out.append(TabTiming(page, name, first, percentile(times, 50),
                                 percentile(times, 99), rows, target))
    return out


def _rows(body: str) -> str:
    if m := re.search(r'<h2 id="results-heading"[^>]*>([^<]*)<', body):
        return m[1].strip()
    if m := re.search(r'data-figure="new">(\d+)<', body):
        return f"{m[1]} new cases"
    return ""


async def run_tab(url: str, schema: str | None, n_cases: int, n_events: int,
                  runs: int) -> TabResult:
    from teams_bot.http.app import create_app
    from teams_bot.settings import Settings

    await _prepare(url, schema, n_cases, n_events)
    port = free_port()
    settings = Settings(database_url=url, port=port, admins=(NATIONAL.aad_id,),
                        working_hours=None)
    app = create_app(settings, migrate=False, workers=False, schema=schema)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        timings = await _measure(f"http://127.0.0.1:{port}", runs)
    finally:
        await runner.cleanup()
    backend = "SQLite" if is_sqlite(url) else "PostgreSQL"
    return TabResult(backend, n_cases, n_events, timings)


def tab_section(results: list[TabResult]) -> list[str]:
    out = ["## (e) The tab: server time of its pages", "",
           "The server's own time for one page's content (its `Server-Timing` header, from the "
           "request arriving to the answer ready), with the storage benchmark's cases given a "
           "route, review type, stage, themes and closing dates. \"First\" is the first "
           "request, before the charts are drawn once and kept.", "",
           "| database | page | who | rows | first ms | p50 ms | p99 ms | target p99 |",
           "|---|---|---|---|---|---|---|---|"]
    for r in results:
        for t in r.timings:
            out.append(f"| {r.backend} | {t.page} | {t.who} | {t.rows} | {t.first_ms:.0f} | "
                       f"{t.p50_ms:.1f} | {t.p99_ms:.1f} | < {t.target_ms:.0f} ms |")
    return out + [""]


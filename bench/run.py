"""`python -m bench.run [--quick] [--only inbound,storage,fanout,privacy,tab] [--out FILE]`

Runs the benchmarks and writes the Markdown report (docs/performance.md). `--only privacy`
measures the patient data detector alone and prints its table without rewriting the report.
PostgreSQL is used when it answers at BENCH_DATABASE_URL, TEST_DATABASE_URL or postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
(each run gets its own database or schema, dropped afterwards); otherwise it is left out and
the report says so.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from .common import ROOT
from .fanout import run_fanout
from .inbound import InboundResult, run_ours, run_paced, run_references
from .privacy_bench import run_privacy
from .privacy_bench import table as privacy_table
from .report import Run, render
from .storage_bench import run_storage
from .tab_bench import run_tab

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Sizes:
    levels: tuple[int, ...]
    seconds: float
    per_user: int
    cases: int
    events: int
    runs: int
    notifications: int
    threads: int
    notes: int = 500  # 500-character notes timed through the patient data detector


FULL = Sizes((1, 10, 50), 10.0, 20, 100_000, 1_000_000, 500, 500, 50, 1000)
QUICK = Sizes((1, 2), 1.0, 2, 500, 5_000, 5, 40, 8, 100)


def index_migration_base() -> str:
    """The revision just before the one that adds the benchmark's indexes."""
    import storage

    for path in (Path(storage.__file__).parent / "migrations" / "versions").glob("*.py"):
        text = path.read_text()
        if "Indexes for the queries behind" in text:
            for line in text.splitlines():
                if line.startswith("down_revision"):
                    return line.split("=", 1)[1].strip().strip('"')
    return "head"


async def pg_admin_url() -> str | None:
    import asyncpg

    for url in (os.environ.get("BENCH_DATABASE_URL"), os.environ.get("TEST_DATABASE_URL"),
                DEFAULT_PG):
        if not url:
            continue
        try:
            conn = await asyncio.wait_for(asyncpg.connect(_dsn(url)), 3)
            await conn.close()
            return url
        except Exception:
            continue
    return None


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@contextlib.asynccontextmanager
async def pg_database(admin: str) -> AsyncIterator[str]:
    """A fresh, migrated database (a `serve` process cannot be pointed at a schema)."""
    import asyncpg

    from storage.db import create_engine
    from storage.migrate import upgrade

    name = f"bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(_dsn(admin))
    await conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + "/" + name
    try:
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()
        yield url
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


@contextlib.asynccontextmanager
async def pg_schema(admin: str) -> AsyncIterator[str]:
    import asyncpg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(_dsn(admin))
    await conn.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield name
    finally:
        await conn.execute(f'DROP SCHEMA "{name}" CASCADE')
        await conn.close()


async def main(sizes: Sizes, only: set[str], mode: str, work: Path,
               postgres: bool = True, tune: bool = True) -> Run:
    """Storage queries and the fan-out run in this process, as they would in `serve`: with the
    same garbage-collector and GIL settings (`tune_for_serving`; `tune=False` for tests)."""
    from teams_bot.http.app import tune_for_serving

    run = Run(mode)
    pg = await pg_admin_url() if postgres else None
    if pg is None:
        run.notes.append("PostgreSQL was not measured in this run (not asked for, or it did "
                         "not answer).")
    if "inbound" in only:
        sqlite = InboundResult(sizes.levels)
        await run_ours(work, sizes.levels, sizes.seconds, sizes.per_user, sqlite)
        await run_references(work, max(sizes.levels), sizes.levels, sizes.seconds, sqlite)
        # Teams allows 60 per 30 s in one conversation (2/s sustained) and 50/s per tenant:
        # with the most users, each in their own 1:1 chat, both limits are in play.
        await run_paced(work, max(sizes.levels), max(sizes.seconds, 5.0), sqlite)
        run.inbound["SQLite"] = sqlite
        if pg is not None:
            postgres = InboundResult(sizes.levels)
            async with pg_database(pg) as url:
                await run_ours(work, sizes.levels, sizes.seconds, sizes.per_user, postgres,
                               url)
            postgres.echo, postgres.ideal = sqlite.echo, sqlite.ideal
            run.inbound["PostgreSQL"] = postgres
    if "storage" in only:
        if tune:
            tune_for_serving()
        base = index_migration_base()
        run.storage.append(await run_storage(f"sqlite+aiosqlite:///{work / 'storage.db'}",
                                             None, sizes.cases, sizes.events, sizes.runs,
                                             base))
        if pg is not None:
            async with pg_schema(pg) as schema:
                run.storage.append(await run_storage(pg, schema, sizes.cases, sizes.events,
                                                     sizes.runs, base))
    if "fanout" in only:
        run.fanout = await run_fanout(work, sizes.notifications, sizes.threads)
    if "tab" in only:
        if tune:
            tune_for_serving()
        run.tab.append(await run_tab(f"sqlite+aiosqlite:///{work / 'tab.db'}", None,
                                     sizes.cases, sizes.events, sizes.runs))
        if pg is not None:
            async with pg_schema(pg) as schema:
                run.tab.append(await run_tab(pg, schema, sizes.cases, sizes.events,
                                             sizes.runs))
    if "privacy" in only:
        if tune:
            tune_for_serving()  # the detector runs in `serve`, with serve's GC settings
        run.privacy = run_privacy(sizes.notes)
    return run


def cli(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    p.add_argument("--quick", action="store_true", help="Tiny sizes: checks the code paths.")
    p.add_argument("--only", default="inbound,storage,fanout,privacy,tab")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    p.add_argument("--no-postgres", action="store_true", help="Measure SQLite only.")
    ns = p.parse_args(argv)
    sizes, mode = (QUICK, "quick") if ns.quick else (FULL, "full")
    only = {x.strip() for x in ns.only.split(",") if x.strip()}
    with tempfile.TemporaryDirectory(prefix="sgbench-") as tmp:
        run = asyncio.run(main(sizes, only, mode, Path(tmp),
                               not ns.no_postgres and only != {"privacy"}))
    if run.privacy is not None:
        print("Patient data detector\n" + privacy_table(run.privacy))
    if only == {"privacy"}:
        return 0
    explanation = (Path(__file__).parent / "notes.md").read_text()
    ns.out.parent.mkdir(parents=True, exist_ok=True)
    ns.out.write_text(render(run, explanation))
    print(f"Wrote {ns.out}")
    return 0


if __name__ == "__main__":
    sys.exit(cli())

"""`sgtracker`: serve the bot, migrate the database, build the Teams package, inspect the outbox."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from aiohttp import web

from teams_bot import __version__
from teams_bot.logguard import install as install_log_guard
from teams_bot.settings import ConfigError, Settings

from . import audit, privacy, roles  # noqa: F401  (each registers its subcommands)
from .registry import SUBCOMMANDS, subcommand

log = logging.getLogger("sgtracker")


@subcommand("serve", "Run the bot (migrates the embedded SQLite database itself).")
def serve(ns: argparse.Namespace, settings: Settings) -> int:
    from teams_bot.http.app import create_app, tune_for_serving

    app = create_app(settings)
    tune_for_serving()
    web.run_app(app, host=settings.host, port=settings.port, print=None,
                access_log=None)
    return 0


@subcommand("migrate", "Apply database migrations to DATABASE_URL.")
def migrate(ns: argparse.Namespace, settings: Settings) -> int:
    from storage.db import create_engine
    from storage.migrate import current, upgrade

    async def run() -> str | None:
        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine)
            return await current(engine)
        finally:
            await engine.dispose()

    print(f"Database is at revision {asyncio.run(run())}.")
    return 0


def _package_args(p: argparse.ArgumentParser) -> None:
    from manifest.build import add_developer_arguments

    p.add_argument("--app-id", required=True, help="The Azure Bot's Microsoft App ID (a GUID).")
    p.add_argument("--out", default="build/app.zip", type=Path)
    p.add_argument("--version", default=__version__, dest="app_version")
    p.add_argument("--host", default="", help="Public host name of `sgtracker serve`, for the "
                   "tabs and single sign-on (default: the host of TRACKER_PUBLIC_URL).")
    add_developer_arguments(p)


@subcommand("package", "Build the Teams app package (manifest.json and icons in a zip).",
            _package_args)
def package(ns: argparse.Namespace, settings: Settings) -> int:
    from manifest.build import build_package, developer_from_args
    from teams_bot.turns.commands import build_registry

    out = build_package(ns.app_id, ns.app_version, build_registry().menu_commands(), ns.out,
                        developer=developer_from_args(ns),
                        host=ns.host or settings.tab_host_for_package)
    print(f"Wrote {out}")
    return 0


def _outbox_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--all", action="store_true", help="Also list sent rows (latest 200).")


@subcommand("outbox", "List pending and failed outgoing Teams messages.", _outbox_args)
def outbox(ns: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime, timedelta

    from storage.db import create_engine
    from storage.outbox import FAILED, PENDING, SENT, OutboxQueue
    from tracker.clock import london

    async def run() -> list:  # type: ignore[type-arg]
        engine = create_engine(settings.database_url)
        try:
            queue = OutboxQueue(engine, "cli", timedelta(0))
            rows = await queue.listing((PENDING, FAILED))
            return rows + (await queue.listing((SENT,), latest=True) if ns.all else [])
        finally:
            await engine.dispose()

    rows = asyncio.run(run())
    if not rows:
        print("The outbox is empty: nothing pending or failed.")
        return 0
    now = datetime.now(UTC)

    def when(r) -> str:  # type: ignore[no-untyped-def]
        if r.status == SENT and r.sent_at:
            return f"sent {london(r.sent_at):%d %b %H:%M:%S}"
        if r.status != PENDING:
            return ""
        if r.claimed_until and r.claimed_until > now:
            return "sending now"
        if r.next_attempt_at > now:
            return f"next try {london(r.next_attempt_at):%H:%M:%S}"
        return "due now"

    counts = {s: sum(1 for r in rows if r.status == s) for s in (PENDING, FAILED)}
    print(f"{counts[PENDING]} pending, {counts[FAILED]} failed (times are UK time)")
    print(f"{'id':>6}  {'status':8} {'kind':13} {'case':>5}  {'tries':>5}  {'when':21} last error")
    for r in rows:
        print(f"{r.id:>6}  {r.status:8} {r.kind:13} {r.case_number or '-':>5}  "
              f"{r.attempts:>5}  {when(r):21} {(r.last_error or '')[:60]}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s")
    parser = argparse.ArgumentParser(prog="sgtracker", description=__doc__)
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_, add_args, _fn) in SUBCOMMANDS.items():
        add_args(sub.add_parser(name, help=help_))
    ns = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        install_log_guard(settings)
        problems = settings.problems()
        if problems and ns.command == "serve":
            raise ConfigError("\n".join(problems))
        return SUBCOMMANDS[ns.command][2](ns, settings)
    except ConfigError as e:
        print("sgtracker cannot start:\n" + "\n".join(f"  - {line}" for line in
                                                      str(e).splitlines()), file=sys.stderr)
        return 2


"""`sgtracker audit export` (the event log as CSV) and `sgtracker retention` (redact free text
of closed cases past their retention period). Both are for operators with database access."""

from __future__ import annotations

import argparse
import asyncio
import csv
import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.events import export_events
from storage.uow import uow_factory
from teams_bot.cli.registry import subcommand
from teams_bot.settings import Settings
from tracker.clock import LONDON, SystemClock, london, today
from tracker.model import Actor
from tracker.ports import EventRecord
from tracker.reference import Reference
from tracker.service import CaseService

COLUMNS = ["event_id", "at_utc", "at_uk", "case_number", "kind", "actor_name", "actor_aad_id",
           "actor_teams_id", "what", "changes", "detail", "data"]


def operator() -> Actor:
    """Who ran the command, for the audit trail (the operating-system account)."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name in a container
        user = "unknown"
    return Actor(teams_id=f"cli:{user}", aad_id=f"cli:{user}", name=f"sgtracker CLI ({user})")


def csv_row(e: EventRecord) -> list[str]:
    data = e.data or {}
    return [str(e.id), e.at.isoformat(), london(e.at).strftime("%Y-%m-%d %H:%M"),
            "" if e.case_number is None else str(e.case_number), e.kind, e.actor_name,
            e.actor_aad_id, e.actor_teams_id, str(data.get("what", "")),
            json.dumps(data.get("changes", {}), ensure_ascii=False, default=str),
            str(data.get("detail", "")), json.dumps(data, ensure_ascii=False, default=str)]


async def export_audit(engine: AsyncEngine, out: IO[str], case: int | None = None,
                       since: datetime | None = None, actor: Actor | None = None) -> int:
    """Write the event log (oldest first) as CSV; the export is itself recorded as an event."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    async for event in export_events(engine, case, since):
        writer.writerow(csv_row(event))
        count += 1
    who = actor or operator()
    async with uow_factory(engine)() as uow:
        await uow.events.append(EventRecord(
            case_number=None, kind="audit_exported", actor_teams_id=who.teams_id,
            actor_aad_id=who.aad_id, actor_name=who.name, at=datetime.now(UTC),
            data={"what": "audit log exported", "case": case,
                  "since": since.isoformat() if since else None, "rows": count}))
        await uow.commit()
    return count


def _since(text: str) -> datetime:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("use a date like 2026-11-27") from None
    return datetime(day.year, day.month, day.day, tzinfo=LONDON).astimezone(UTC)


def _audit_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["export"], help="export: write the event log as CSV")
    p.add_argument("--case", type=int, help="only this case's events")
    p.add_argument("--since", type=_since, help="only events on or after this date (UK)")
    p.add_argument("--out", type=Path, help="file to write (default: standard output)")


@contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        yield f


@subcommand("audit", "Export the audit trail (every event, who and when, old and new values) "
            "as CSV.", _audit_args)
def audit(ns: argparse.Namespace, settings: Settings) -> int:
    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            with _output(ns.out) as out:
                return await export_audit(engine, out, ns.case, ns.since)
        finally:
            await engine.dispose()

    rows = asyncio.run(run())
    if ns.out:
        print(f"Wrote {rows} events to {ns.out}.")
    return 0


def _retention_args(p: argparse.ArgumentParser) -> None:
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="list what would be redacted")
    mode.add_argument("--apply", action="store_true", help="redact it")


@subcommand("retention", "Redact the free text of closed cases past their retention period "
            "(tracker/data/retention.json), keeping the skeleton.", _retention_args)
def retention(ns: argparse.Namespace, settings: Settings) -> int:
    async def run() -> list:  # type: ignore[type-arg]
        engine = create_engine(settings.database_url)
        try:
            service = CaseService(uow_factory(engine), Reference.load(), SystemClock(),
                                  settings.admins)
            today_ = today(SystemClock())
            if ns.apply:
                return await service.apply_retention(today_, operator())
            return await service.retention_due(today_)
        finally:
            await engine.dispose()

    due = asyncio.run(run())
    verb = "Redacted" if ns.apply else "Would redact"
    for d in due:
        print(f"{verb} case {d.number}: {d.review_type}, closed {d.closed_on}, "
              f"{d.years} years, due {d.due_on}")
    print(f"{verb} {len(due)} case{'s' if len(due) != 1 else ''}.")
    return 0

"""`sgtracker roles import FILE.csv`: load role holders (role, locality, user principal name).

A UPN the bot has not seen is looked up with the Teams members API in the teams where the bot
is set up (it accepts a UPN); `--no-teams` skips that. Whatever can't be resolved is listed, and
the exit code is 1, so a scheduled import notices.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path

from storage.db import create_engine, is_sqlite
from storage.migrate import upgrade
from storage.uow import uow_factory
from teams_bot.cli.audit import operator
from teams_bot.cli.registry import subcommand
from teams_bot.outbound.connector import SendError
from teams_bot.settings import Settings
from tracker.clock import SystemClock
from tracker.ports import ChannelRef, Person
from tracker.reference import Reference
from tracker.roles_csv import parse_roles_csv
from tracker.service import CaseService
from tracker.service.roles_import import ImportReport

log = logging.getLogger("sgtracker.roles")


class TeamsLookup:
    """Find a person by UPN in the teams the bot is set up in (Bot Connector get member)."""

    def __init__(self, settings: Settings, channels: list[ChannelRef]) -> None:
        from teams_bot.http.edges import make_edge
        from teams_bot.outbound.connector import Connector
        from teams_bot.outbound.gateway import Gateway

        self.edge = make_edge(settings)
        self.gateway = Gateway(Connector(self.edge.token), settings.app_id)
        self.teams = sorted({(c.service_url, c.team_id) for c in channels})
        self.failure = ""

    async def __call__(self, upn: str) -> Person | None:
        for service_url, team_id in self.teams:
            try:
                member = await self.gateway.member(service_url, team_id, upn)
            except SendError as err:  # not 404 (not in that team): worth saying
                self.failure = f"SendError {err.status or ''}".strip()
                continue
            if member is not None and member.aad_id:
                return Person(member.aad_id, member.teams_id, member.name, upn)
        return None

    async def close(self) -> None:
        await self.gateway.close()
        await self.edge.close()


async def run_import(settings: Settings, text: str, use_teams: bool = True) -> tuple[
        ImportReport, list[str], str]:
    """Import the CSV text; returns the report, lines that could not be read, and a Teams
    problem (empty when Teams answered or was not needed)."""
    rows, unreadable = parse_roles_csv(text)
    engine = create_engine(settings.database_url)
    lookup: TeamsLookup | None = None
    try:
        if is_sqlite(settings.database_url):
            await upgrade(engine)  # the embedded database, as `serve` does
        service = CaseService(uow_factory(engine), Reference.load(), SystemClock(),
                              settings.admins)
        if use_teams:
            channels = await service.all_channels()
            lookup = TeamsLookup(settings, channels) if channels else None
        report = await service.import_roles(rows, lookup, actor=operator())
    finally:
        if lookup is not None:
            await lookup.close()
        await engine.dispose()
    return report, unreadable, lookup.failure if lookup else ""


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["import"], help="what to do (import)")
    p.add_argument("file", type=Path, help="CSV: role, locality, user principal name "
                                           "[, display name, aad object id, teams id]")
    p.add_argument("--no-teams", action="store_true",
                   help="don't ask Teams for people the bot has not seen")


@subcommand("roles", "Import role holders from a CSV file (role, locality, UPN).", _args)
def roles(ns: argparse.Namespace, settings: Settings) -> int:
    if not ns.file.is_file():
        print(f"There is no file at {ns.file}.")
        return 2
    report, unreadable, teams_problem = asyncio.run(
        run_import(settings, ns.file.read_text(encoding="utf-8-sig"),
                   use_teams=not ns.no_teams))
    problems = unreadable + report.problems
    print(f"Roles import from {ns.file}:")
    for title, items in (("added", report.added), ("already held", report.unchanged),
                         ("not imported", problems)):
        print(f"  {title}: {len(items)}")
        for item in items:
            print(f"    {item}")
    if teams_problem:
        print(f"  Teams could not be asked about unknown people ({teams_problem}); check the "
              "bot's credentials, or add an 'aad object id' column.")
    return 1 if problems else 0

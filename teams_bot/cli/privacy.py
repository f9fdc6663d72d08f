"""`sgtracker privacy scan [--redact]`: stored free text that today's patient data detector
flags, listed by case and field (never the text); `--redact` masks it and records an event."""

from __future__ import annotations

import argparse
import asyncio

from storage.db import create_engine
from storage.uow import uow_factory
from teams_bot.cli.audit import operator
from teams_bot.cli.registry import subcommand
from teams_bot.settings import Settings
from tracker.clock import SystemClock
from tracker.privacy import describe
from tracker.reference import Reference
from tracker.service import CaseService, Flagged


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["scan"], help="scan: list stored text that looks like "
                   "patient identifiers")
    p.add_argument("--redact", action="store_true",
                   help="mask what is found ([name], [phone]...) and record an event per case")


def lines(found: list[Flagged], redacted: bool) -> list[str]:
    verb = "Masked" if redacted else "Found"
    out = []
    for f in found:
        for name, kinds in f.fields.items():
            out.append(f"{verb} in case {f.number}, {name.replace('_', ' ')}: {describe(kinds)}")
        for where, kinds in f.history.items():
            out.append(f"{verb} in case {f.number}, history {where}: {describe(kinds)}")
    cases = f"{len(found)} case{'s' if len(found) != 1 else ''}"
    if redacted:
        out.append(f"Masked likely patient identifiers in {cases}.")
    elif found:
        out.append(f"{cases} hold text that looks like patient identifiers. Run "
                   "`sgtracker privacy scan --redact` to mask it.")
    else:
        out.append("No stored text looks like patient identifiers.")
    return out


@subcommand("privacy", "List stored free text that looks like patient identifiers (case and "
            "field, never the text); --redact masks it.", _args)
def privacy(ns: argparse.Namespace, settings: Settings) -> int:
    async def run() -> list[Flagged]:
        engine = create_engine(settings.database_url)
        try:
            service = CaseService(uow_factory(engine), Reference.load(), SystemClock(),
                                  settings.admins)
            if ns.redact:
                return await service.redact_patient_data(operator())
            return await service.stored_patient_data()
        finally:
            await engine.dispose()

    for line in lines(asyncio.run(run()), ns.redact):
        print(line)
    return 0

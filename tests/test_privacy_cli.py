"""`sgtracker privacy scan`, run as a real process on text stored before today's detector:
it names the case and field (never the text); `--redact` masks it in the case and in its
history, records an event, and a second scan finds nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from storage.db import create_engine
from storage.tables import case_events, event_texts
from storage.uow import uow_factory
from tests.support.service_world import START, World, grant, new_case
from tracker.clock import FixedClock
from tracker.model import SYSTEM
from tracker.permissions import Scope, ScopeKind
from tracker.ports import ChannelRef
from tracker.privacy import confirming
from tracker.reference import Reference
from tracker.service import CaseService, IntakeForm, ServiceOptions

ROOT = Path(__file__).resolve().parents[1]
OLD_SUMMARY = "Mother Sarah Jones called the ward about the baby"
OLD_NOTE = "Grandmother can be reached on 07700 900123"


def sgtracker(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": db}
    return subprocess.run([sys.executable, "-m", "teams_bot.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


async def seed(db: str) -> tuple[int, int]:
    """A case stored before the new detector (its summary names the mother) with a note
    saved with "Save anyway", and a clean case."""
    engine = create_engine(db)
    clock = FixedClock(START)
    service = CaseService(uow_factory(engine, now=clock.now), Reference.load(), clock,
                          options=ServiceOptions(working_hours=None,
                                                 ack_reminder=timedelta(minutes=30),
                                                 ack_escalate=timedelta(minutes=60)))
    w = World(service, clock, engine, {})
    try:
        async with service.uow() as uow:
            await uow.directory.set_channel(ChannelRef("https://svc", "tenant", "T1", "C1"))
            await uow.commit()
        lead = await grant(w, "Lena Lead", "safeguarding_lead", Scope(ScopeKind.NATIONAL))
        old, _ = await service.log_incident(SYSTEM, IntakeForm(
            reported_by="Trust", locality="devon", incident_date=date(2026, 11, 20),
            summary=OLD_SUMMARY))
        with confirming():
            await service.update_record(lead, old.number, None, {"comment": OLD_NOTE})
        clean = await new_case(w)
        return old.number, clean.number
    finally:
        await engine.dispose()


async def test_privacy_scan_lists_then_redacts_stored_identifiers(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'tracker.db'}"
    migrated = sgtracker("migrate", db=db)
    assert migrated.returncode == 0, migrated.stderr
    old, clean = await seed(db)

    scanned = sgtracker("privacy", "scan", db=db)
    assert scanned.returncode == 0, scanned.stderr
    out = scanned.stdout
    assert f"Found in case {old}, summary: a person's name" in out
    assert f"Found in case {old}, comments: a phone number" in out
    assert f"case {old}, history event" in out  # the note's event keeps its text too
    assert f"case {clean}," not in out
    for secret in ("Sarah", "Jones", "900123", "Grandmother"):
        assert secret not in out + scanned.stderr

    redacted = sgtracker("privacy", "scan", "--redact", db=db)
    assert redacted.returncode == 0, redacted.stderr
    assert "Masked likely patient identifiers in 1 case." in redacted.stdout
    assert "Sarah" not in redacted.stdout + redacted.stderr

    engine = create_engine(db)
    try:
        async with uow_factory(engine)() as uow:
            case = await uow.cases.get(old)
            assert case is not None
            assert case.summary == "Mother [name] called the ward about the baby"
            assert [c.text for c in case.comments] == ["Grandmother can be reached on [phone]"]
        async with engine.connect() as conn:
            texts = [r.value for r in await conn.execute(select(event_texts))]
            events = list(await conn.execute(select(case_events).where(
                case_events.c.kind == "patient_data_masked")))
        assert not any("900123" in str(t) or "Sarah" in str(t) for t in texts)
        assert [e.case_number for e in events] == [old]
        assert events[0].actor_name.startswith("sgtracker CLI")
        assert events[0].data["fields"] == {"summary": ["name"], "comments": ["phone"]}
    finally:
        await engine.dispose()

    again = sgtracker("privacy", "scan", db=db)
    assert "No stored text looks like patient identifiers." in again.stdout

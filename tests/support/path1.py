"""Helpers for the Path 1 service tests: a real database, the service, and a case on Path 1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.migrate import upgrade
from storage.tables import case_events, outbox, reminders
from storage.uow import uow_factory
from tracker.clock import FixedClock
from tracker.model import Actor, Case, Route
from tracker.permissions import Scope, ScopeKind
from tracker.ports import ChannelRef, Person
from tracker.reference import Reference
from tracker.service import CaseService, IntakeForm, ServiceOptions

LEAD = Actor(teams_id="29:lead", aad_id="aad-lead", name="Lena Lead")
DESIGNATED = Actor(teams_id="29:dev", aad_id="aad-dev", name="Dev Designated")
COMMS = Actor(teams_id="29:cora", aad_id="aad-cora", name="Cora Comms")
PANEL = Actor(teams_id="29:pat", aad_id="aad-pat", name="Pat Panel")
NOBODY = Actor(teams_id="29:nora", aad_id="aad-nora", name="Nora Norole")
TEAM = "19:team"
CHANNEL = ChannelRef("https://smba.example", "tenant", TEAM, "19:safeguarding")
WORKING_HOURS = (time(8, 0), time(18, 0))


@dataclass
class World:
    svc: CaseService
    engine: AsyncEngine
    clock: FixedClock

    async def events(self, number: int | None = None) -> int:
        q = select(func.count()).select_from(case_events).where(
            case_events.c.kind != "permission_denied")
        if number is not None:
            q = q.where(case_events.c.case_number == number)
        async with self.engine.connect() as conn:
            return int((await conn.execute(q)).scalar_one())

    async def notices(self, number: int) -> list[dict[str, Any]]:
        """Thread replies queued for the case: payload plus key, oldest first."""
        q = select(outbox.c.payload, outbox.c.dedupe_key, outbox.c.kind).where(
            outbox.c.case_number == number, outbox.c.kind == "thread_reply").order_by(outbox.c.id)
        async with self.engine.connect() as conn:
            return [{**r.payload, "key": r.dedupe_key} for r in await conn.execute(q)]

    async def ledger(self, number: int) -> dict[str, Any]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(reminders).where(reminders.c.case_number == number))
            return {r.kind: r for r in rows}


def make_service(engine: AsyncEngine, clock: FixedClock,
                 hours: tuple[time, time] | None = None) -> CaseService:
    return CaseService(uow_factory(engine, now=clock.now), Reference.load(), clock,
                       options=ServiceOptions(working_hours=hours))


async def staff(svc: CaseService) -> None:
    """A team set up by Lena (safeguarding lead), with a designated lead, panel member and
    communications lead for it."""
    await svc.setup_channel(LEAD, CHANNEL)
    for actor, role in ((DESIGNATED, "designated lead"), (PANEL, "panel member"),
                        (COMMS, "comms lead")):
        person = Person(actor.aad_id, actor.teams_id, actor.name)
        for icb in ("devon", "kent-and-medway"):  # a team is a place, not a scope
            await svc.assign_role(LEAD, role, person, Scope(ScopeKind.LOCALITY, icb))


async def path1_case(svc: CaseService, steis: str = "2026/5001", locality: str = "devon",
                     incident: date = date(2026, 11, 20)) -> Case:
    """A logged case, triaged and sent to Path 1: awaiting the panel."""
    form = IntakeForm(reported_by="Riverside NHS Foundation Trust", locality=locality,
                      incident_date=incident, summary="Serious injury to a child.",
                      steis_number=steis)
    case, _ = await svc.log_incident(LEAD, form)
    out = await svc.decide_route(LEAD, case.number, None, Route.PATH1, level="case_review")
    return out.case


async def cspr_case(svc: CaseService, **kw: Any) -> Case:
    case = await path1_case(svc, **kw)
    return (await svc.panel_decision(PANEL, case.number, None, "CSPR")).case


@asynccontextmanager
async def open_world(database: Any, clock: FixedClock) -> AsyncIterator[World]:
    """A migrated database (tests' `database` fixture), the service and its staff."""
    engine = create_engine(database.url, schema=database.schema)
    await upgrade(engine)
    svc = make_service(engine, clock)
    await staff(svc)
    try:
        yield World(svc, engine, clock)
    finally:
        await engine.dispose()

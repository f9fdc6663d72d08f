"""A case service on a real database (SQLite, or PostgreSQL in CI) with a fixed clock, and the
helpers the Path 2 domain tests share: people with roles, cases, what went to the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.migrate import upgrade
from storage.outbox import from_payload
from storage.reminders import claim_due, release
from storage.tables import outbox
from storage.uow import uow_factory
from tracker.clock import FixedClock
from tracker.model import SYSTEM, Actor, Case
from tracker.permissions import Scope, ScopeKind
from tracker.ports import ChannelRef, Notice, NoticeKind, Person
from tracker.reference import Reference
from tracker.service import CaseService, IntakeForm, ServiceOptions

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
DEVON = Scope(ScopeKind.LOCALITY, "devon")
ROLES = {"director_commissioning_ops": "Dee Commissioning", "director_nursing": "Nia Nursing",
         "medical_director": "Max Medical", "locality_director": "Lou Locality"}


@dataclass
class World:
    service: CaseService
    clock: FixedClock
    engine: AsyncEngine
    people: dict[str, Actor]

    def who(self, name: str) -> Actor:
        return self.people[name]


def actor(name: str) -> Actor:
    slug = name.lower().replace(" ", "-")
    return Actor(teams_id=f"29:{slug}", aad_id=f"aad-{slug}", name=name)


@pytest.fixture
async def world(database) -> AsyncIterator[World]:  # type: ignore[no-untyped-def]
    engine = create_engine(database.url, schema=database.schema)
    await upgrade(engine)
    clock = FixedClock(START)
    options = ServiceOptions(working_hours=None, ack_reminder=timedelta(minutes=30),
                             ack_escalate=timedelta(minutes=60))
    service = CaseService(uow_factory(engine, now=clock.now), Reference.load(), clock,
                          options=options)
    w = World(service, clock, engine, {})
    async with service.uow() as uow:
        await uow.directory.set_channel(ChannelRef("https://svc", "tenant", "T1", "C1"))
        await uow.commit()
    await grant(w, "Lena Lead", "safeguarding_lead", Scope(ScopeKind.NATIONAL))
    yield w
    await engine.dispose()


async def grant(w: World, name: str, role: str, scope: Scope = DEVON) -> Actor:
    a = w.people.setdefault(name, actor(name))
    async with w.service.uow() as uow:
        await uow.directory.upsert_person(Person(a.aad_id, a.teams_id, a.name))
        await uow.directory.add_grant(a.aad_id, role, scope)
        await uow.commit()
    return a


async def directors(w: World, skip: str = "") -> None:
    for role, name in ROLES.items():
        if role != skip:
            await grant(w, name, role)


async def new_case(w: World, media_interest: bool = False,
                   specialist_commissioned: bool = False) -> Case:
    form = IntakeForm(reported_by="Trust", locality="devon", incident_date=date(2026, 11, 20),
                      summary="Serious incident.", media_interest=media_interest,
                      specialist_commissioned=specialist_commissioned)
    case, _ = await w.service.log_incident(SYSTEM, form)
    return case


async def sent(w: World, kind: NoticeKind | None = None) -> list[Notice]:
    async with w.engine.connect() as conn:
        rows = list(await conn.execute(select(outbox).order_by(outbox.c.id)))
    out = [from_payload(r.kind, r.case_number, r.dedupe_key, r.payload) for r in rows]
    return [n for n in out if kind is None or n.kind is kind]


async def fire_due(w: World) -> int:
    fired = 0
    for rem in await claim_due(w.engine, w.clock.now(), timedelta(minutes=2)):
        fired += await w.service.fire(rem)
        await release(w.engine, rem.case_number, rem.kind)
    return fired

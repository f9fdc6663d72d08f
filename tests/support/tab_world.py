"""A known set of cases for the tab's tests: two ICBs of the South West (Devon, "ICB A", and
Cornwall, "ICB B") plus one case elsewhere, stored through the real repositories, and the
figures the Statistics page must show for them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.threads import ThreadRef, Threads
from teams_bot.settings import Settings
from tests.support.harness import RunningBot, start_bot
from tests.support.openid import KeyServer, user_token
from tracker.clock import FixedClock
from tracker.deadlines import WorkingDays, next_due
from tracker.model import (
    ActionItem,
    Case,
    Decision,
    Identifier,
    IdKind,
    ReviewType,
    Route,
    State,
)
from tracker.permissions import NATIONAL as NATIONAL_SCOPE
from tracker.permissions import Scope, ScopeKind
from tracker.ports import EventRecord, Person
from tracker.reference import Reference
from tracker.service import CaseService

TENANT = "5b1e6f3a-0d2c-4b8e-9a7f-1c2d3e4f5a6b"
OTHER_TENANT = "9f8e7d6c-5b4a-4392-8170-6a5b4c3d2e1f"
APP_ID = "6f1c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f"
HOST = "tracker.test.example.nhs.uk"
AUDIENCE = f"api://{HOST}/{APP_ID}"

DEVON_LEAD = Person("aad-ada-devon", "29:ada", "Ada Devon", "ada@devon.example.nhs.uk")
CORNWALL_LEAD = Person("aad-ben-cornwall", "29:ben", "Ben Cornwall", "ben@kernow.example.nhs.uk")
REGIONAL = Person("aad-rita-region", "29:rita", "Rita Regional", "rita@england.example.nhs.uk")
DIRECTOR = Person("aad-dan-director", "29:dan", "Dan Director", "dan@devon.example.nhs.uk")
NOBODY = Person("aad-no-role", "29:nobody", "Nora Norole", "nora@example.nhs.uk")
NATIONAL = Person("aad-nat-national", "29:nat", "Nat National", "nat@england.example.nhs.uk")
FILLER = 30  # closed London cases 13 to 42, seen only nationally: two pages of cases
DEVON, CORNWALL = "devon", "cornwall-and-the-isles-of-scilly"


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)


def _case(n: int, locality: str, added: date, state: State, route: Route | None = None,
          review: ReviewType | None = None, closed: date | None = None, **more: object) -> Case:
    region = Reference.load().localities[locality].region
    decisions = [Decision("triage", "Ada Devon", DEVON_LEAD.aad_id, _at(added), "Case review")]
    if closed:
        decisions.append(Decision("closed", "Ada Devon", DEVON_LEAD.aad_id, _at(closed)))
    case = Case(number=n, locality=locality, region=region, created_at=_at(added),
                reported_by="Riverside NHS Foundation Trust",
                summary=f"Serious incident {n}; multi-agency concerns.", incident_date=added,
                date_added=added, state=state, route=route, review_type=review,
                identifiers=[Identifier(IdKind.STEIS, f"2026/{1000 + n}")], decisions=decisions,
                team_id="19:sg@thread.tacv2")
    for key, value in more.items():
        setattr(case, key, value)
    return case


def known_cases() -> list[Case]:
    """In the order they are stored (case numbers 1 to 42)."""
    d, p1, p2 = date, Route.PATH1, Route.PATH2
    rr, cspr = ReviewType.RAPID_REVIEW, ReviewType.CSPR
    return [
        # Devon, new in Q4 2026
        _case(1, DEVON, d(2026, 10, 5), State.RAPID_REVIEW, p1, rr, themes=["physical", "neglect"],
              actions=[ActionItem(1, "Chronology from the trust", None, d(2026, 11, 2))]),
        _case(2, DEVON, d(2026, 10, 20), State.REVIEW, p1, cspr, converted=True,
              stage="scoping", sin_notified_on=d(2026, 10, 21),
              review_started_on=d(2026, 10, 25), themes=["domestic"]),
        _case(3, DEVON, d(2026, 11, 2), State.SI, p2),
        _case(4, DEVON, d(2026, 11, 10), State.NEW),
        # Devon, closed in Q4 2026
        _case(5, DEVON, d(2026, 3, 1), State.CLOSED_PUBLISHED, p1, cspr, d(2026, 10, 15),
              review_started_on=d(2026, 4, 1), published_on=d(2026, 10, 15),
              sin_notified_on=d(2026, 3, 2), report_url="https://example.org/r5"),
        _case(6, DEVON, d(2026, 1, 10), State.CLOSED_PUBLISHED, p1, ReviewType.SAR,
              d(2026, 11, 3), review_started_on=d(2026, 6, 1), published_on=d(2026, 11, 3),
              report_url="https://example.org/r6"),
        _case(7, DEVON, d(2026, 2, 1), State.CLOSED_EMBARGOED, p1, ReviewType.DHR,
              d(2026, 11, 12), review_started_on=d(2026, 3, 1)),
        # Devon, new in Q3, open and overdue (CSPR publication due 1 November)
        _case(8, DEVON, d(2026, 7, 1), State.REVIEW, p1, cspr, stage="analysis",
              sin_notified_on=d(2026, 7, 2), review_started_on=d(2026, 5, 1)),
        # Cornwall (ICB B)
        _case(9, CORNWALL, d(2026, 10, 7), State.RAPID_REVIEW, p1, rr, themes=["sexual"]),
        _case(10, CORNWALL, d(2026, 11, 15), State.SI, p2),
        _case(11, CORNWALL, d(2026, 2, 2), State.CLOSED_PUBLISHED, p1, cspr, d(2026, 10, 30),
              review_started_on=d(2026, 3, 1), published_on=d(2026, 10, 30),
              sin_notified_on=d(2026, 2, 3)),
        # elsewhere (London)
        _case(12, "north-central-london", d(2026, 10, 9), State.SI, p2),
        *[_case(n, "north-central-london", d(2026, 5, n - 12), State.CLOSED_NFA,
                Route.NFA, closed=d(2026, 6, n - 12)) for n in range(13, 13 + FILLER)],
    ]


@dataclass(frozen=True)
class Expected:
    """What the Statistics page shows for Devon, Q4 2026 (worked out by hand above)."""

    new: int = 4
    by_path: tuple[tuple[str, int], ...] = (("Path 1 (case review)", 2),
                                            ("Path 2 (SI framework / PSIRF)", 1),
                                            ("Not yet routed", 1))
    by_type: tuple[tuple[str, int], ...] = (("Rapid review", 1), ("CSPR", 1),
                                            ("No review type yet", 2))
    rapid: int = 2
    converted: int = 1
    closed: int = 3
    published: int = 2
    embargoed: int = 1
    median_days: int = 176  # 197 (case 5) and 155 (case 6)
    within: int = 1  # case 6 only
    late: tuple[tuple[str, int], ...] = (("NHS Devon ICB", 2),)  # cases 1 and 8
    themes: tuple[tuple[str, int], ...] = (("Domestic abuse", 1),
                                           ("Neglect or acts of omission", 1),
                                           ("Physical abuse", 1))


DEVON_Q4 = Expected()


async def seed(service: CaseService, engine: AsyncEngine) -> None:
    ref, wd = service.ref, WorkingDays()
    async with service.uow() as uow:
        for case in known_cases():
            await uow.cases.add(case, next_due(case, ref.timescales, wd))
        for person in (DEVON_LEAD, CORNWALL_LEAD, REGIONAL, DIRECTOR, NOBODY, NATIONAL):
            await uow.directory.upsert_person(person)
        for at, kind, data in (
                (_at(date(2026, 10, 5)), "intake", {"what": "incident logged"}),
                (_at(date(2026, 10, 6)), "panel", {"what": "panel decided: Rapid Review",
                                                   "changes": {"state": {
                                                       "old": "panel", "new": "rapid_review"}}}),
                (_at(date(2026, 10, 7)), "edited", {"what": "action added", "changes": {
                    "actions": {"old": [], "new": [{"text": "Chronology from the trust"}]}}})):
            await uow.events.append(EventRecord(1, kind, DEVON_LEAD.teams_id, DEVON_LEAD.aad_id,
                                                DEVON_LEAD.name, at, data))
        await uow.directory.add_grant(DEVON_LEAD.aad_id, "safeguarding_lead",
                                      Scope(ScopeKind.LOCALITY, DEVON))
        await uow.directory.add_grant(CORNWALL_LEAD.aad_id, "safeguarding_lead",
                                      Scope(ScopeKind.LOCALITY, CORNWALL))
        await uow.directory.add_grant(REGIONAL.aad_id, "regional_safeguarding_lead",
                                      Scope(ScopeKind.REGION, "south-west"))
        await uow.directory.add_grant(NATIONAL.aad_id, "national_contact", NATIONAL_SCOPE)
        await uow.directory.add_grant(DIRECTOR.aad_id, "medical_director",
                                      Scope(ScopeKind.LOCALITY, DEVON))
        await uow.commit()
    await Threads(engine).save(ThreadRef(
            case_number=1, service_url="https://smba.example/", tenant_id=TENANT,
            team_id="19:sg@thread.tacv2", channel_id="19:general@thread.tacv2",
            conversation_id="19:general@thread.tacv2;messageid=1700000000001",
            activity_id="1700000000001"))


@dataclass
class TabSite:
    bot: RunningBot
    keys: KeyServer | None

    @property
    def url(self) -> str:
        return self.bot.url

    def token(self, who: Person, **claims: Any) -> str:
        assert self.keys is not None
        return user_token(self.keys, **{"audience": AUDIENCE, "tenant": TENANT, "oid": who.aad_id,
                                        "name": who.name, **claims})


@asynccontextmanager
async def tab_site(database: Any, clock: FixedClock, *, sso: bool) -> AsyncIterator[TabSite]:
    """The real server on a free port, seeded with the known cases; with Teams SSO (tokens
    minted by a local key server) or in local mode (the try-out picker)."""
    keys = KeyServer().start() if sso else None
    settings = Settings(database_url=database.url, working_hours=None, delivery_poll_seconds=0.05)
    if keys is not None:
        settings = settings.with_(
            app_id=APP_ID, app_password="test-secret", app_tenant_id=TENANT,
            public_url=f"https://{HOST}", entra_metadata_url=keys.metadata_url,
            openid_metadata_url=keys.metadata_url)
    bot = await start_bot(settings, clock, schema=database.schema, workers=False)
    try:
        await seed(bot.services.service, bot.services.engine)
        yield TabSite(bot, keys)
    finally:
        await bot.stop()
        if keys is not None:
            keys.stop()

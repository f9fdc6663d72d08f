"""The service by composition (issue 13): refusals go on record in a transaction of their own,
policies run as explicit lists, one calendar for "today", and the channel check is a lookup."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.support.service_world import World, actor, new_case, world
from tracker.clock import FixedClock, london, today
from tracker.errors import PermissionDenied
from tracker.model import SYSTEM, Actor, Case
from tracker.ports import Reminder, UnitOfWork
from tracker.service import REMINDER_POLICIES, CaseService
from tracker.service.chasing import AckChasing
from tracker.service.intake import Intake, IntakeForm
from tracker.service.path1_reminders import Path1Reminders
from tracker.service.reminders import Reminders
from tracker.service.triage import Triage
from tracker.service.writer import Writer

pytestmark = pytest.mark.storage
__all__ = ["world"]  # the fixture
SERVICE = Path(__file__).parent.parent / "tracker" / "service"


async def kinds_on(world: World, number: int) -> list[str]:
    async with world.service.uow() as uow:
        return [e.kind for e in await uow.events.history(number, 0, 100)]


async def test_a_refusal_is_committed_though_the_callers_transaction_rolls_back(
        world: World) -> None:
    case = await new_case(world)
    w = world.service.writer
    with pytest.raises(PermissionDenied):
        async with w.unit() as uow:
            await w.record(uow, SYSTEM, case.number, "half_done", {"what": "half a change"})
            access = await w.access_in(uow, actor("Nora Nobody"))
            await w.load(uow, access, case.number, "triage")
    kinds = await kinds_on(world, case.number)
    assert "permission_denied" in kinds  # on record, in its own transaction
    assert "half_done" not in kinds  # the caller's half change was rolled back


async def test_a_refused_use_case_is_on_record_and_changes_nothing(world: World) -> None:
    case = await new_case(world)
    before = await world.service.peek(case.number)
    with pytest.raises(PermissionDenied):
        await world.service.triage(actor("Nora Nobody"), case.number, None, "single agency")
    assert (await kinds_on(world, case.number))[0] == "permission_denied"
    assert (await world.service.peek(case.number)).version == before.version


def test_the_reminder_policies_are_one_explicit_list(world: World) -> None:
    assert REMINDER_POLICIES == (Path1Reminders, AckChasing)
    assert [type(p) for p in world.service.writer.reminders] == list(REMINDER_POLICIES)
    owners = world.service.reminder_handlers()
    assert {k: type(p) for k, p in owners.items()} == {
        "clock": Path1Reminders, "action": Path1Reminders, "soon": Path1Reminders,
        "embargo": Path1Reminders, "ack": AckChasing}


class Spy:
    """A reminder policy that notes what it is asked to do."""

    def __init__(self, name: str, seen: list[str]) -> None:
        self.kinds: tuple[str, ...] = (name,)
        self.name, self.seen = name, seen

    async def sync(self, uow: UnitOfWork, case: Case) -> None:
        self.seen.append(f"{self.name} sync {case.number}")

    async def fire(self, w: Writer, uow: UnitOfWork, r: Reminder, case: Case) -> Reminder:
        self.seen.append(f"{self.name} fire {r.kind}")
        r.done = True
        return r


async def test_every_policy_in_the_list_runs_in_order(world: World) -> None:
    seen: list[str] = []
    w = Writer(world.service.deps, reminders=[Spy("first", seen), Spy("second", seen)])

    async def noted(uow: UnitOfWork, who: Actor, case: Case) -> None:
        seen.append(f"intake {case.number}")

    form = IntakeForm(reported_by="Trust", locality="devon", incident_date=date(2026, 11, 20),
                      summary="Serious incident.")
    case, _ = await Intake(w, after_intake=(noted,)).log_incident(SYSTEM, form)
    await Triage(w).triage(world.who("Lena Lead"), case.number, None, "single agency")
    n = case.number
    assert seen == [f"intake {n}", f"first sync {n}", f"second sync {n}"]
    async with w.unit() as uow:
        await uow.reminders.upsert(Reminder(n, "second:1", world.clock.now()))
        await uow.commit()
    await Reminders(w).fire(Reminder(n, "second:1", world.clock.now()))
    assert seen[-1] == "second fire second:1"


def test_no_mixins_and_no_super_chains() -> None:
    assert CaseService.__mro__ == (CaseService, object)
    for path in SERVICE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(b) for b in node.bases]
                assert set(bases) <= {"Exception", "Protocol"}, (path.name, node.name, bases)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Call) \
                    and ast.unparse(node.value.func) == "super":
                assert node.attr == "__init__", (path.name, node.lineno)


def test_today_is_englands_day() -> None:
    late = FixedClock(datetime(2026, 6, 30, 23, 30, tzinfo=UTC))  # BST: already 1 July
    assert today(late) == date(2026, 7, 1)
    assert london(late.now()).hour == 0
    winter = FixedClock(datetime(2026, 12, 31, 23, 30, tzinfo=UTC))  # GMT: still 31 December
    assert today(winter) == date(2026, 12, 31)


async def test_the_channel_check_is_an_indexed_lookup(world: World) -> None:
    found = await world.service.channel("C1")
    assert found is not None and found.team_id == "T1" and found.locality == ""
    assert await world.service.channel("C-unknown") is None
    if world.engine.dialect.name == "sqlite":
        async with world.engine.connect() as conn:
            plan = " ".join(str(r[-1]) for r in await conn.execute(text(
                "EXPLAIN QUERY PLAN SELECT * FROM channels WHERE channel_id = 'C1' "
                "ORDER BY locality LIMIT 1")))
        assert "ix_channels_channel_id" in plan

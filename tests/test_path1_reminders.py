"""The reminder ledger for Path 1 clocks and actions: a missed tick still fires, repeats stop at
the maximum, nothing goes out of working hours, and snooze puts reminders off."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from teams_bot.outbound.reminders import tick
from tests.support.path1 import (
    DESIGNATED,
    LEAD,
    WORKING_HOURS,
    World,
    cspr_case,
    make_service,
    open_world,
)
from tracker.clock import FixedClock
from tracker.errors import IllegalTransition, InvalidInput
from tracker.model import PersonRef

pytestmark = pytest.mark.storage
DEV = PersonRef(DESIGNATED.aad_id, DESIGNATED.name, DESIGNATED.teams_id)


@pytest.fixture
async def world(database, clock: FixedClock) -> AsyncIterator[World]:  # type: ignore[no-untyped-def]
    async with open_world(database, clock) as world:
        yield world


async def run_tick(w: World) -> int:
    """One pass of the worker that `serve` runs (teams_bot.reminders.tick)."""
    return await tick(SimpleNamespace(clock=w.clock, engine=w.engine, service=w.svc,
                                      nudge=lambda: None))  # type: ignore[arg-type]


async def reminders_sent(w: World, number: int) -> list[dict]:  # type: ignore[type-arg]
    return [n for n in await w.notices(number) if n["card"].startswith("reminder:")]


async def review(w: World) -> int:
    case = await cspr_case(w.svc)
    await w.svc.set_designated_professional(LEAD, case.number, None, DEV)
    await w.svc.update_record(LEAD, case.number, None, {"sin_notified_on": "2026-11-24"})
    return case.number


async def test_a_missed_tick_still_fires_and_mentions_the_owner(world: World) -> None:
    n = await review(world)
    ledger = await world.ledger(n)
    assert ledger["clock:sin"].done  # met when the SIN date was recorded
    row = ledger["clock:cspr_publication"]
    assert not row.done and row.data["due"] == "2027-05-24"
    assert await run_tick(world) == 0  # not due yet
    world.clock.advance(days=200)  # the worker was down the whole time
    assert await run_tick(world) == 1
    [sent] = await reminders_sent(world, n)
    assert sent["card"] == "reminder:clock:cspr_publication"
    assert sent["mentions"][0]["aad_id"] == DEV.aad_id
    assert sent["text"].startswith("<at>Dev Designated</at>: reminder for case")
    assert "CSPR publication deadline was 24 May 2027" in sent["text"]
    assert await run_tick(world) == 0  # the repeat waits repeat_hours
    world.clock.advance(hours=24)
    assert await run_tick(world) == 1


async def test_repeats_stop_at_the_maximum(world: World) -> None:
    n = await review(world)
    most = int(world.svc.ref.timescales["reminders"]["max_repeats"])
    world.clock.advance(days=200)
    for _ in range(most + 2):
        await run_tick(world)
        world.clock.advance(hours=25)
    assert len(await reminders_sent(world, n)) == most
    row = (await world.ledger(n))["clock:cspr_publication"]
    assert row.done and row.repeats == most and row.data["ended"] == "repeats"
    # An unrelated edit does not start the reminders again.
    await world.svc.update_record(LEAD, n, None, {"stage": "analysis"})
    await run_tick(world)
    assert len(await reminders_sent(world, n)) == most


async def test_reminders_wait_for_working_hours(world: World) -> None:
    svc = make_service(world.engine, world.clock, WORKING_HOURS)
    hours = World(svc, world.engine, world.clock)
    n = await review(hours)
    world.clock.set(datetime(2027, 6, 12, 20, 0, tzinfo=UTC))  # Saturday, 9 pm in London
    assert await run_tick(hours) == 0
    row = (await world.ledger(n))["clock:cspr_publication"]
    assert row.due_at == datetime(2027, 6, 14, 7, 0, tzinfo=UTC)  # Monday 08:00 BST
    world.clock.set(datetime(2027, 6, 14, 6, 59, tzinfo=UTC))
    assert await run_tick(hours) == 0
    world.clock.set(datetime(2027, 6, 14, 7, 0, tzinfo=UTC))
    assert await run_tick(hours) == 1


async def test_snooze_puts_reminders_off(world: World) -> None:
    n = await review(world)
    world.clock.advance(days=200)
    message = await world.svc.snooze(DESIGNATED, n)
    assert message.startswith(f"Case {n}: 1 reminder snoozed until")
    assert await run_tick(world) == 0
    world.clock.advance(hours=23)
    assert await run_tick(world) == 0
    world.clock.advance(hours=2)
    assert await run_tick(world) == 1
    with pytest.raises(InvalidInput):
        await world.svc.snooze(DESIGNATED, n, hours=24 * 30)


async def test_overdue_actions_remind_their_owner_and_closing_clears_all(world: World) -> None:
    n = await review(world)
    lead = PersonRef(LEAD.aad_id, LEAD.name, LEAD.teams_id)
    await world.svc.add_action(DESIGNATED, n, None, "Audit referrals", lead, date(2026, 12, 1))
    world.clock.set(datetime(2026, 12, 3, 10, 0, tzinfo=UTC))
    assert await run_tick(world) == 1
    [sent] = await reminders_sent(world, n)
    assert sent["card"] == "reminder:action:1" and sent["mentions"][0]["aad_id"] == LEAD.aad_id
    assert "action 1 was due 01 Dec 2026, 2 days overdue" in sent["text"]
    await world.svc.set_action_status(LEAD, n, None, 1, "complete")
    assert (await world.ledger(n))["action:1"].data["ended"] == "cleared"
    await world.svc.close_case(LEAD, n, None, "published", url="https://example.org/r",
                               signed_off=date(2026, 12, 2), without_briefing=True)
    assert all(r.done for r in (await world.ledger(n)).values())
    with pytest.raises(IllegalTransition):
        await world.svc.snooze(DESIGNATED, n)


async def test_a_reminder_goes_before_the_deadline_as_well_as_after(world: World) -> None:
    """A child's case on Path 1: the SIN is due in 5 working days; 2 working days before
    (timescales.json "before_working_days"), the thread hears once that it is due soon."""
    from tracker.model import Route
    from tracker.service import IntakeForm

    form = IntakeForm(reported_by="Trust", locality="devon", incident_date=date(2026, 11, 20),
                      summary="Serious injury to a child.", steis_number="2026/8801",
                      age_group="child")
    case, _ = await world.svc.log_incident(LEAD, form)
    n = case.number
    await world.svc.decide_route(LEAD, n, None, Route.PATH1, level="case_review")
    ledger = await world.ledger(n)
    assert ledger["soon:clock:sin"].data["due"] == "2026-12-01"
    assert ledger["soon:clock:sin"].due_at == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
    assert await run_tick(world) == 0  # Tue 24 Nov: not yet
    world.clock.set(datetime(2026, 11, 27, 10, 0, tzinfo=UTC))  # Fri, 2 working days before
    assert await run_tick(world) == 1
    [soon] = await reminders_sent(world, n)
    assert soon["card"] == "reminder:soon:clock:sin"
    assert "the SIN notification deadline is 01 Dec 2026, 2 working days left" in soon["text"]
    world.clock.advance(hours=24)
    assert await run_tick(world) == 0  # once only
    world.clock.set(datetime(2026, 12, 2, 10, 0, tzinfo=UTC))  # then overdue, as before
    assert await run_tick(world) == 1
    assert [r["card"] for r in await reminders_sent(world, n)] == [
        "reminder:soon:clock:sin", "reminder:clock:sin"]


async def test_a_sin_recorded_in_time_clears_the_before_reminder(world: World) -> None:
    case = await cspr_case(world.svc)
    n = case.number
    assert not (await world.ledger(n))["soon:clock:sin"].done
    await world.svc.update_record(LEAD, n, None, {"sin_notified_on": "2026-11-24"})
    assert (await world.ledger(n))["soon:clock:sin"].data["ended"] == "cleared"
    world.clock.set(datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
    assert await run_tick(world) == 0


async def test_an_embargo_end_is_reminded_the_day_after(world: World) -> None:
    n = await review(world)
    await world.svc.close_case(LEAD, n, None, "embargoed", until=date(2026, 12, 10),
                               reason="Criminal trial")
    row = (await world.ledger(n))["embargo"]
    assert row.data["due"] == "2026-12-10" and not row.done
    world.clock.set(datetime(2026, 12, 10, 15, 0, tzinfo=UTC))
    assert await run_tick(world) == 0  # the embargo ends today: nothing yet
    world.clock.set(datetime(2026, 12, 11, 9, 0, tzinfo=UTC))
    assert await run_tick(world) == 1
    [sent] = await reminders_sent(world, n)
    assert sent["card"] == "reminder:embargo" and sent["mentions"][0]["aad_id"] == DEV.aad_id
    assert "the embargo ended on 10 Dec 2026" in sent["text"]
    assert f"`close case {n} published`" in sent["text"]
    # Recording the publication ends it.
    await world.svc.close_case(LEAD, n, None, "published", url="https://example.org/r",
                               signed_off=date(2026, 12, 1), without_briefing=True)
    assert (await world.ledger(n))["embargo"].data["ended"] == "cleared"

"""Issue 4's domain on a real database: who a media escalation addresses, acknowledging,
chasing from the reminder ledger, regional and national escalation, missing roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from storage.tables import case_events
from tests.support.service_world import (
    ROLES,
    START,
    World,
    actor,
    directors,
    fire_due,
    grant,
    new_case,
    sent,
    world,
)
from tracker.errors import InvalidInput, PermissionDenied
from tracker.permissions import Scope, ScopeKind
from tracker.ports import NoticeKind

pytestmark = pytest.mark.storage
__all__ = ["world"]  # the fixture


async def test_media_flag_addresses_the_four_directors_once_each(world: World) -> None:
    await directors(world)
    case = await new_case(world)
    out = await world.service.flag_media(world.who("Lena Lead"), case.number, note="Press call")
    [esc] = out.case.escalations
    assert esc.kind == "media" and esc.raised_by == "Lena Lead" and not esc.missing_roles
    assert {r.name for r in esc.recipients} == set(ROLES.values())
    assert out.case.media_interest and not out.case.media_confirmed
    [card] = [n for n in await sent(world, NoticeKind.THREAD_REPLY) if n.card]
    assert card.card == "escalation:1" and card.key == f"esc:{case.number}:1"
    directs = await sent(world, NoticeKind.DIRECT)
    assert sorted(n.to.name for n in directs if n.to) == sorted(ROLES.values())
    assert {n.card for n in directs} == {"ack:1"}
    async with world.service.uow() as uow:
        [rem] = await uow.reminders.for_case(case.number)
    assert rem.kind == "ack:1" and rem.due_at == START + timedelta(minutes=30)
    assert rem.data["working_hours"] is False
    again = await world.service.flag_media(world.who("Lena Lead"), case.number)
    assert not again.changed and len(again.case.escalations) == 1


async def test_confirmed_media_adds_the_comms_lead_and_specialist_adds_theirs(
        world: World) -> None:
    await directors(world)
    await grant(world, "Cal Comms", "comms_lead")
    await grant(world, "Sid Specialist", "specialist_comms_lead")
    case = await new_case(world, media_interest=True, specialist_commissioned=True)
    [first] = (await world.service.get_case(world.who("Lena Lead"), case.number)).escalations
    assert {r.role for r in first.recipients} == {*ROLES, "specialist_comms_lead"}
    out = await world.service.flag_media(world.who("Lena Lead"), case.number, confirmed=True)
    assert out.case.media_confirmed
    assert [r.name for r in out.case.escalations[-1].recipients] == ["Cal Comms"]


async def test_a_missing_director_is_named_and_the_lead_told(world: World) -> None:
    await directors(world, skip="medical_director")
    case = await new_case(world)
    out = await world.service.flag_media(world.who("Lena Lead"), case.number)
    assert out.case.escalations[0].missing_roles == ["medical_director"]
    assert "Nobody holds: medical director" in out.message
    [gap] = [n for n in await sent(world, NoticeKind.THREAD_REPLY) if n.key.startswith("esc-gap")]
    assert "nobody holds medical director for NHS Devon ICB" in gap.text
    assert [p.name for p in gap.mentions] == ["Lena Lead"]
    assert "<at>Lena Lead</at>" in gap.text


async def test_only_the_addressee_acknowledges_and_twice_is_harmless(world: World) -> None:
    await directors(world)
    case = await new_case(world, media_interest=True)
    nia, max_ = world.who("Nia Nursing"), world.who("Max Medical")
    world.clock.advance(minutes=5)
    with pytest.raises(PermissionDenied, match="only they can acknowledge"):
        await world.service.acknowledge(max_, case.number, 1, who=nia.aad_id)
    lead = world.who("Lena Lead")
    with pytest.raises(PermissionDenied, match="not addressed to you"):
        await world.service.acknowledge(lead, case.number, 1)
    unchanged = await world.service.get_case(lead, case.number)
    assert len(unchanged.escalations[0].waiting) == 4
    ack = await world.service.acknowledge(nia, case.number, 1, who=nia.aad_id)
    assert ack.changed and ack.recipient.acknowledged_at == START + timedelta(minutes=5)
    assert "3 still to acknowledge" in ack.message
    updates = await sent(world, NoticeKind.THREAD_UPDATE)
    assert [u.target for u in updates] == [f"esc:{case.number}:1"]
    [mine] = await sent(world, NoticeKind.DIRECT_UPDATE)
    assert mine.to and mine.to.aad_id == nia.aad_id
    assert mine.target == f"ack:{case.number}:1:{nia.aad_id}"
    again = await world.service.acknowledge(nia, case.number, 1, who=nia.aad_id)
    assert not again.changed and "already acknowledged" in again.message
    async with world.engine.connect() as conn:
        refused = list(await conn.execute(select(case_events.c.actor_name).where(
            case_events.c.kind == "permission_denied")))
    assert sorted(r.actor_name for r in refused) == ["Lena Lead", "Max Medical"]


async def test_everyone_acknowledging_ends_the_chase(world: World) -> None:
    await directors(world)
    case = await new_case(world, media_interest=True)
    for name in ROLES.values():
        await world.service.acknowledge(world.who(name), case.number)  # `ack case N`
    async with world.service.uow() as uow:
        [rem] = await uow.reminders.for_case(case.number)
    assert rem.done
    world.clock.advance(hours=2)
    assert await fire_due(world) == 0


async def test_chase_reminds_then_goes_to_the_regional_lead(world: World) -> None:
    await directors(world)
    rita = await grant(world, "Rita Regional", "regional_safeguarding_lead",
                       Scope(ScopeKind.REGION, "south-west"))
    case = await new_case(world, media_interest=True)
    await world.service.acknowledge(world.who("Nia Nursing"), case.number, 1)
    world.clock.advance(minutes=29)
    assert await fire_due(world) == 0
    world.clock.advance(minutes=2)
    assert await fire_due(world) == 1
    [reminder] = [n for n in await sent(world, NoticeKind.THREAD_REPLY)
                  if n.key.startswith("esc-remind")]
    assert {p.name for p in reminder.mentions} == set(ROLES.values()) - {"Nia Nursing"}
    assert "<at>Max Medical</at>" in reminder.text and "Nia Nursing" not in reminder.text
    assert await fire_due(world) == 0  # not again before the second interval
    world.clock.advance(minutes=30)
    assert await fire_due(world) == 1
    esc = (await world.service.get_case(world.who("Lena Lead"), case.number)).escalations[0]
    assert esc.escalated_regional and esc.chased == 1
    assert esc.recipients[-1].aad_id == rita.aad_id
    [regional] = [n for n in await sent(world, NoticeKind.THREAD_REPLY)
                  if n.key.startswith("esc-regional")]
    assert [p.name for p in regional.mentions] == ["Rita Regional"]
    assert "within 60 minutes" in regional.text
    assert any(n.to and n.to.aad_id == rita.aad_id for n in await sent(world, NoticeKind.DIRECT))
    world.clock.advance(hours=5)
    assert await fire_due(world) == 0


async def test_regional_and_national_escalation(world: World) -> None:
    case = await new_case(world)
    lead = world.who("Lena Lead")
    out = await world.service.escalate(lead, case.number, None, "regional", "Two ICBs involved")
    esc = out.case.escalations[0]
    assert esc.kind == "regional" and esc.reason == "Two ICBs involved"
    assert esc.missing_roles == ["regional_safeguarding_lead"] and not esc.recipients
    assert out.case.decisions[-1].detail == "Regional escalation: Two ICBs involved"
    await grant(world, "Rita Regional", "regional_safeguarding_lead",
                Scope(ScopeKind.REGION, "south-west"))
    await grant(world, "Ned National", "national_contact", Scope(ScopeKind.NATIONAL))
    out = await world.service.escalate(lead, case.number, None, "national", "Likely national "
                                       "press")
    esc = out.case.escalations[1]
    assert [r.name for r in esc.recipients] == ["Rita Regional", "Ned National"]
    assert not esc.missing_roles
    with pytest.raises(InvalidInput, match="regional or national"):
        await world.service.escalate(lead, case.number, None, "global", "x")
    with pytest.raises(InvalidInput, match="why"):
        await world.service.escalate(lead, case.number, None, "regional", " ")
    with pytest.raises(InvalidInput, match="NHS number"):
        await world.service.escalate(lead, case.number, None, "regional", "NHS 943 476 5919")
    with pytest.raises(PermissionDenied):
        await world.service.escalate(actor("Nobody"), case.number, None, "regional", "x")


async def test_media_flagged_by_the_briefing_step_escalates_with_the_comms_lead(
        world: World) -> None:
    await directors(world)
    await grant(world, "Cal Comms", "comms_lead")
    case = await new_case(world)
    async with world.service.uow() as uow:
        loaded = await uow.cases.get(case.number)
        assert loaded is not None
        notices = await world.service.media_flagged(uow, world.who("Lena Lead"), loaded)
    [esc] = loaded.escalations
    assert {r.role for r in esc.recipients} == {*ROLES, "comms_lead"}
    assert len([n for n in notices if n.kind is NoticeKind.DIRECT]) == 5

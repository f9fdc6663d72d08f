"""Every case reaches its end (issue 12), on a real database: a Path 2 case closes with an
outcome from the data file and reopens; a Path 2 case moves to Path 1 keeping its record; a
review closes as completed and not for publication; an embargoed review is later recorded as
published; a DHR needs its Home Office QA date. Each refusal changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest

from tests.support.path1 import (
    LEAD,
    PANEL,
    World,
    cspr_case,
    open_world,
    path1_case,
)
from tracker.clock import FixedClock
from tracker.errors import IllegalTransition, InvalidInput, PermissionDenied
from tracker.model import Route, State
from tracker.service import IntakeForm

pytestmark = pytest.mark.storage


@pytest.fixture
async def world(database, clock: FixedClock) -> AsyncIterator[World]:  # type: ignore[no-untyped-def]
    async with open_world(database, clock) as world:
        yield world


async def path2_case(w: World, steis: str = "2026/7001", framework: str = "") -> int:
    form = IntakeForm(reported_by="Riverside NHS Foundation Trust", locality="devon",
                      incident_date=date(2026, 11, 20), summary="Harm on a ward.",
                      steis_number=steis)
    case, _ = await w.svc.log_incident(LEAD, form)
    await w.svc.decide_route(LEAD, case.number, None, Route.PATH2, level="psii")
    if framework:
        from tracker.service.path2 import Path2Update
        await w.svc.update_path2(LEAD, case.number, None, Path2Update(framework=framework),
                                 date(2026, 11, 24))
    return case.number


async def test_a_path2_case_closes_with_each_outcome_and_reopens(world: World) -> None:
    svc = world.svc
    n = await path2_case(world, framework="SIF 2015")
    assert [c.number for c in await svc.overdue(LEAD)] == []
    world.clock.advance(days=120)  # the 60-working-day SI clock has run out
    assert [c.number for c in await svc.overdue(LEAD)] == [n]
    before = (await svc.peek(n)).version
    with pytest.raises(InvalidInput, match="Say how the case closes"):
        await svc.close_case(LEAD, n, None, "finished")
    with pytest.raises(IllegalTransition, match="Only a case review in progress"):
        await svc.close_case(LEAD, n, None, "not for publication")
    with pytest.raises(PermissionDenied):
        await svc.close_case(PANEL, n, None, "completed")
    assert (await svc.peek(n)).version == before

    out = await svc.close_case(LEAD, n, None, "completed", reason="Investigation report accepted")
    c = out.case
    assert c.state is State.CLOSED_SI and c.close_outcome == "completed"
    assert c.close_reason == "Investigation report accepted"
    assert out.message == f"Case {n} closed: completed: Investigation report accepted."
    [notice] = [x for x in await world.notices(n) if x["key"].startswith("closed:")]
    assert notice["text"].startswith(f"Case {n} is closed (completed: Investigation report")
    assert await svc.overdue(LEAD) == []  # the SI clock stopped with the case
    assert all(r.done for r in (await world.ledger(n)).values())

    back = await svc.reopen(LEAD, n, "Coroner asked for more")
    assert back.case.state is State.SI and back.case.close_outcome == ""
    for said, key in (("de-logged", "de_logged"), ("No further action", "no_further_action")):
        out = await svc.close_case(LEAD, n, None, said, reason="Agreed with the ICB")
        assert out.case.close_outcome == key
        await svc.reopen(LEAD, n, "Checking")


async def test_a_path2_case_moves_to_path1_keeping_its_record(world: World) -> None:
    svc = world.svc
    n = await path2_case(world)
    before = await svc.peek(n)
    with pytest.raises(InvalidInput, match="Say why"):
        await svc.move_to_path1(LEAD, n, None, " ")
    with pytest.raises(PermissionDenied):
        await svc.move_to_path1(PANEL, n, None, "SAR agreed")
    out = await svc.move_to_path1(LEAD, n, None, "The adults board agreed a SAR")
    c = out.case
    assert c.state is State.PANEL and c.route is Route.PATH1
    assert c.framework == before.framework and c.identifiers == before.identifiers
    assert c.decisions[-1].detail.startswith("moved from Path 2 to Path 1 (case review)")
    [notice] = [x for x in await world.notices(n) if x["key"].startswith("path1:")]
    assert "moved from Path 2 to Path 1" in notice["text"]
    with pytest.raises(IllegalTransition, match="Only a case on Path 2 moves"):
        await svc.move_to_path1(LEAD, n, None, "again")
    done = await svc.panel_decision(PANEL, n, None, "SAR")
    assert done.case.state is State.REVIEW


async def test_a_review_closes_completed_not_for_publication(world: World) -> None:
    svc = world.svc
    case = await cspr_case(svc)
    n = case.number
    with pytest.raises(InvalidInput, match="no report signed-off date"):
        await svc.close_case(LEAD, n, None, "not for publication")
    with pytest.raises(IllegalTransition, match="Only a Path 2 case closes"):
        await svc.close_case(LEAD, n, None, "completed")
    out = await svc.close_case(LEAD, n, None, "not for publication",
                               signed_off=date(2026, 11, 20), reason="Partnership decision")
    c = out.case
    assert c.state is State.CLOSED_NOT_PUBLISHED and c.signed_off_on == date(2026, 11, 20)
    assert "completed, not for publication, signed off 20 Nov 2026" in out.message
    back = await svc.reopen(LEAD, n, "New information")
    assert back.case.state is State.REVIEW


async def test_an_embargoed_review_is_later_recorded_as_published(world: World) -> None:
    svc = world.svc
    case = await cspr_case(svc)
    n = case.number
    await svc.record_briefing(LEAD, n, None)
    await svc.update_record(LEAD, n, None, {"signed_off_on": "2026-11-20"})
    await svc.close_case(LEAD, n, None, "embargoed", until=date(2027, 1, 10), reason="Trial")
    with pytest.raises(IllegalTransition, match="read-only"):
        await svc.update_record(LEAD, n, None, {"stage": "analysis"})
    world.clock.advance(days=60)
    out = await svc.close_case(LEAD, n, None, "published", url="https://example.org/r")
    assert out.case.state is State.CLOSED_PUBLISHED
    assert out.case.published_on == date(2027, 1, 23)


async def test_a_dhr_needs_its_home_office_qa_date_before_publication(world: World) -> None:
    svc = world.svc
    case = await path1_case(svc)
    n = (await svc.panel_decision(PANEL, case.number, None, "DHR")).case.number
    await svc.update_record(LEAD, n, None, {"signed_off_on": "2026-11-20"})
    version = (await svc.peek(n)).version
    with pytest.raises(InvalidInput, match="Home Office Quality Assurance Panel"):
        await svc.close_case(LEAD, n, None, "published", url="https://example.org/dhr",
                             without_briefing=True)
    assert (await svc.peek(n)).version == version
    await svc.update_record(LEAD, n, None, {"home_office_qa_on": "2026-11-22"})
    out = await svc.close_case(LEAD, n, None, "published", url="https://example.org/dhr",
                               without_briefing=True)
    assert out.case.home_office_qa_on == date(2026, 11, 22)
    assert "no pre-publication briefing recorded" in out.message


async def test_the_whole_history_of_a_review_reads_in_plain_english(world: World) -> None:
    """Every kind of change a Path 1 review records, read back through `history`: labels, UK
    dates, no snake_case keys or internal codes."""
    import re

    from tracker.model import PersonRef

    svc = world.svc
    case = await path1_case(svc)
    n = case.number
    await svc.update_record(LEAD, n, None, {"age_group": "child"})
    await svc.panel_decision(PANEL, n, None, "rapid review")
    await svc.panel_decision(PANEL, n, None, "CSPR")
    await svc.update_record(LEAD, n, None, {
        "stage": "external_qa", "theme_1": "child_sexual_exploitation", "local": "DEV-1",
        "sin_notified_on": "2026-11-24", "signed_off_on": "2026-11-24",
        "partnership_board": "Devon Partnership", "recommendation": "Share chronologies."})
    dev = PersonRef("aad-dev", "Dev Designated", "29:dev")
    await svc.set_designated_professional(LEAD, n, None, dev)
    await svc.add_action(LEAD, n, None, "Audit referrals", dev, date(2027, 1, 31))
    await svc.set_action_status(LEAD, n, None, 1, "in progress")
    await svc.record_learning(LEAD, n, None, "7-minute briefing", date(2026, 11, 24), "GPs",
                              date(2026, 11, 24))
    await svc.record_briefing(LEAD, n, None, date(2026, 11, 24), media_likely=True)
    await svc.close_case(LEAD, n, None, "not for publication", reason="Partnership decision")
    lines: list[str] = []
    page, pages = 1, 1
    while page <= pages:
        found = await svc.case_history(LEAD, n, page)
        pages = found.pages
        for e in found.entries:
            lines += [e.what, e.detail, *(f"{c.field}: {c.old} → {c.new}" for c in e.changes)]
        page += 1
    text = "\n".join(lines)
    assert "Child or adult: (none) → A child (under 18)" in text
    assert "Review stage: (none) → External QA (Home Office panel or National Panel)" in text
    assert "Abuse/vulnerability theme 1: (none) → Child sexual exploitation" in text
    assert "Action 1 status: Open → In progress" in text
    assert "SIN notified: (none) → 24 Nov 2026" in text
    assert not re.findall(r"\b[a-z0-9]+_[a-z0-9_]+\b", text), text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), text
    for code in ("rapid_review", "cspr:", "devon", "closed_not_published", "path1"):
        assert code not in text, code

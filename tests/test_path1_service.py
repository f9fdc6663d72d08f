"""Path 1 use cases on a real database: the panel decision, the record, actions, closing and
reopening, meetings. Every refusal leaves the case exactly as it was."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest

from tests.support.path1 import (
    COMMS,
    DESIGNATED,
    LEAD,
    NOBODY,
    PANEL,
    World,
    cspr_case,
    open_world,
    path1_case,
)
from tracker.clock import FixedClock
from tracker.errors import IllegalTransition, InvalidInput, NotFound, PermissionDenied
from tracker.model import IdKind, PersonRef, ReviewType, State
from tracker.service.closing import Closing

pytestmark = pytest.mark.storage
DEV = PersonRef(DESIGNATED.aad_id, DESIGNATED.name, DESIGNATED.teams_id)


@pytest.fixture
async def world(database, clock: FixedClock) -> AsyncIterator[World]:  # type: ignore[no-untyped-def]
    async with open_world(database, clock) as world:
        yield world


async def unchanged(w: World, number: int, version: int, events: int) -> None:
    case = await w.svc.peek(number)
    assert case.version == version
    assert await w.events(number) == events


async def test_panel_decides_a_cspr(world: World) -> None:
    case = await path1_case(world.svc)
    out = await world.svc.panel_decision(PANEL, case.number, case.version, "CSPR",
                                         date(2026, 11, 23))
    c = out.case
    assert c.state is State.REVIEW and c.review_type is ReviewType.CSPR and not c.converted
    assert c.panel_date == c.review_started_on == date(2026, 11, 23)
    assert c.decisions[-1].what == "panel" and c.decisions[-1].by == PANEL.name
    assert "CSPR (panel 23 Nov 2026)" in out.message


async def test_a_rapid_review_that_becomes_a_review_is_converted(world: World) -> None:
    case = await path1_case(world.svc)
    rr = (await world.svc.panel_decision(PANEL, case.number, None, "Rapid review")).case
    assert rr.state is State.RAPID_REVIEW and rr.review_type is ReviewType.RAPID_REVIEW
    full = (await world.svc.panel_decision(PANEL, case.number, None, "DHR (child, 16-17)")).case
    assert full.state is State.REVIEW and full.review_type is ReviewType.DHR_CHILD
    assert full.converted and "converted from Rapid Review" in full.decisions[-1].detail


async def test_no_review_needs_a_reason_and_closes_with_the_notice(world: World) -> None:
    case = await path1_case(world.svc)
    events = await world.events(case.number)
    with pytest.raises(InvalidInput, match="reason for no review"):
        await world.svc.panel_decision(PANEL, case.number, None, "No review")
    await unchanged(world, case.number, case.version, events)
    out = await world.svc.panel_decision(PANEL, case.number, None, "no review",
                                         reason="Single-agency learning only")
    assert out.case.state is State.CLOSED_NO_REVIEW
    [notice] = [n for n in await world.notices(case.number) if n["key"].startswith("closed:")]
    assert "closed (no review: Single-agency learning only)" in notice["text"]


async def test_only_the_panel_roles_decide_and_hidden_cases_are_not_found(world: World) -> None:
    case = await path1_case(world.svc)
    with pytest.raises(PermissionDenied):
        await world.svc.panel_decision(COMMS, case.number, None, "CSPR")
    with pytest.raises(PermissionDenied):
        await world.svc.panel_decision(NOBODY, case.number, None, "CSPR")
    with pytest.raises(NotFound):
        await world.svc.panel_decision(PANEL, 9999, None, "CSPR")


async def test_every_field_can_be_edited_and_each_edit_is_one_event(world: World) -> None:
    case = await cspr_case(world.svc)
    n = case.number
    before = await world.events(n)
    out = await world.svc.update_record(DESIGNATED, n, None, {
        "stage": "scoping", "partnership_board": "Devon Children and Families Partnership",
        "theme_1": "neglect", "theme_2": "Domestic abuse", "sin_notified_on": "2026-11-23",
        "steis": "2026/5002", "lfpse": "LF-1", "local": "DEV-1", "sin": "SIN-1",
        "home_office_dhr": "HO-1", "recommendation": "Share chronologies sooner.",
        "learning_theme": "Professional curiosity", "comment": "Chair appointed."})
    c = out.case
    assert await world.events(n) == before + 1
    assert c.stage == "scoping" and c.themes == ["neglect", "domestic"]
    assert c.sin_notified_on == date(2026, 11, 23)
    assert c.ids(IdKind.STEIS) == ["2026/5001", "2026/5002"]  # more than one of a kind
    assert [c.ids(k) for k in (IdKind.LFPSE, IdKind.LOCAL, IdKind.SIN,
                               IdKind.HOME_OFFICE_DHR)] == [["LF-1"], ["DEV-1"], ["SIN-1"],
                                                            ["HO-1"]]
    assert c.recommendations == ["Share chronologies sooner."]
    assert c.learning_themes == ["Professional curiosity"]
    assert c.comments[-1].text == "Chair appointed." and c.comments[-1].by == DESIGNATED.name
    # Clearing a theme from a form; the same values again change nothing.
    again = await world.svc.update_record(DESIGNATED, n, None, {"theme_2": "", "stage": "scoping"})
    assert again.case.themes == ["neglect"]
    same = await world.svc.update_record(DESIGNATED, n, None, {"stage": "scoping"})
    assert not same.changed and await world.events(n) == before + 2


async def test_bad_values_get_clear_answers_and_change_nothing(world: World) -> None:
    other = await cspr_case(world.svc, steis="2026/7777")
    case = await cspr_case(world.svc)
    n, events = case.number, await world.events(case.number)
    bad = [
        ({"stage": "foo"}, "'foo' is not a known review stage. Choose one of: referral"),
        ({"stage": "scoping", "theme_1": "sadness"}, "not a known theme"),
        ({"signed_off_on": "next week"}, "is not a date"),
        ({"signed_off_on": "2099-01-01"}, "in the future"),
        ({"report_url": "www.example.org"}, "starting https://"),
        ({"steis": "2026/7777"}, f"already recorded on case {other.number}"),
        ({"theme_1": "neglect", "theme_2": "neglect"}, "already theme 1"),
        ({"review_type": "rapid review"}, "comes from the panel"),
        ({"comment": "NHS number 943 476 5919"}, "NHS number"),
        ({"learning_kind": "7-minute briefing"}, "not a field of the tracker record"),
    ]
    for values, message in bad:
        with pytest.raises(InvalidInput) as err:
            await world.svc.update_record(DESIGNATED, n, None, values)
        assert message in str(err.value), (values, str(err.value))
    await unchanged(world, n, case.version, events)
    # The stage waits for the panel.
    waiting = await path1_case(world.svc, steis="2026/8888")
    with pytest.raises(InvalidInput, match="once the panel has agreed"):
        await world.svc.update_record(DESIGNATED, waiting.number, None, {"stage": "scoping"})


async def test_actions_have_an_owner_a_due_date_and_a_status(world: World) -> None:
    case = await cspr_case(world.svc)
    n = case.number
    with pytest.raises(InvalidInput, match="Name the action's owner"):
        await world.svc.add_action(LEAD, n, None, "Audit referrals", None, date(2027, 1, 31))
    with pytest.raises(InvalidInput, match="Give a due date"):
        await world.svc.add_action(LEAD, n, None, "Audit referrals", DEV, None)
    out = await world.svc.add_action(LEAD, n, None, "Audit referrals", DEV, date(2027, 1, 31))
    [item] = out.case.actions
    assert (item.number, item.owner, item.due, item.status) == (1, DEV, date(2027, 1, 31),
                                                                "open")
    notice = (await world.notices(n))[-1]
    assert notice["mentions"][0]["aad_id"] == DEV.aad_id and "<at>Dev Designated</at>" in \
        notice["text"]
    await world.svc.set_designated_professional(LEAD, n, None, DEV)
    second = await world.svc.add_action(LEAD, n, None, "Brief GPs", None, date(2027, 2, 1))
    assert second.case.actions[1].owner == DEV  # defaults to the designated professional
    done = await world.svc.set_action_status(LEAD, n, None, 1, "complete")
    assert done.case.actions[0].status == "complete"
    with pytest.raises(InvalidInput, match="no action 9"):
        await world.svc.set_action_status(LEAD, n, None, 9, "complete")


async def test_close_published_needs_link_and_signed_off_date(world: World) -> None:
    case = await cspr_case(world.svc)
    n, events = case.number, await world.events(case.number)
    with pytest.raises(InvalidInput, match="give the link to the final report"):
        await world.svc.close_case(LEAD, n, None, "published")
    with pytest.raises(InvalidInput, match=f"update case {n} signed off 2026-11-24"):
        await world.svc.close_case(LEAD, n, None, "published", url="https://example.org/r")
    with pytest.raises(PermissionDenied):
        await world.svc.close_case(PANEL, n, None, "published", url="https://example.org/r",
                                   signed_off=date(2026, 11, 2))
    # No pre-publication briefing recorded: the writer is asked to confirm.
    with pytest.raises(InvalidInput, match="No pre-publication briefing is recorded") as err:
        await world.svc.close_case(LEAD, n, None, "published", url="https://example.org/r",
                                   signed_off=date(2026, 11, 2))
    assert f"close case {n} published https://example.org/r without briefing" in str(err.value)
    await unchanged(world, n, case.version, events)
    out = await world.svc.close_case(LEAD, n, None, "published", url="https://example.org/r",
                                     signed_off=date(2026, 11, 2), without_briefing=True)
    c = out.case
    assert c.state is State.CLOSED_PUBLISHED and c.status == "closed"
    assert (c.published_on, c.signed_off_on, c.report_url) == (
        date(2026, 11, 24), date(2026, 11, 2), "https://example.org/r")
    [notice] = [x for x in await world.notices(n) if x["key"].startswith("closed:")]
    assert notice["text"].startswith(f"Case {n} is closed (published on 24 Nov 2026")
    # Read-only now: edits, actions and notes are refused with the reopen hint.
    with pytest.raises(IllegalTransition, match="read-only"):
        await world.svc.update_record(LEAD, n, None, {"stage": "analysis"})
    with pytest.raises(IllegalTransition, match="`reopen case` with its number"):
        await world.svc.add_action(LEAD, n, None, "More", DEV, date(2027, 1, 1))


async def test_embargo_and_reopen_by_a_safeguarding_lead_only(world: World) -> None:
    case = await cspr_case(world.svc)
    n = case.number
    with pytest.raises(InvalidInput, match="in the future"):
        await world.svc.close_case(LEAD, n, None, "embargoed", until=date(2026, 1, 1))
    out = await world.svc.close_case(LEAD, n, None, "embargoed", until=date(2027, 3, 1),
                                     reason="Criminal trial")
    assert out.case.state is State.CLOSED_EMBARGOED
    assert (out.case.embargo_until, out.case.embargo_reason) == (date(2027, 3, 1),
                                                                 "Criminal trial")
    with pytest.raises(PermissionDenied):
        await world.svc.reopen(DESIGNATED, n, "New information")
    with pytest.raises(InvalidInput, match="Give the reason"):
        await world.svc.reopen(LEAD, n, " ")
    back = await world.svc.reopen(LEAD, n, "New information from police")
    assert back.case.state is State.REVIEW
    assert back.case.decisions[-1].what == "reopened"


async def test_briefing_flags_media_and_the_comms_lead_is_told(world: World) -> None:
    waiting = await path1_case(world.svc, steis="2026/1111")
    with pytest.raises(InvalidInput, match="while the review is in progress"):
        await world.svc.record_briefing(LEAD, waiting.number, None)
    case = await cspr_case(world.svc)
    out = await world.svc.record_briefing(LEAD, case.number, None, date(2026, 11, 23),
                                          media_likely=True)
    c = out.case
    assert c.briefing is not None and c.briefing.media_likely and c.media_interest
    assert c.briefing.on == date(2026, 11, 23) and c.briefing.by == LEAD.name
    # The flag starts the media escalation (Path 2), which asks the comms lead too.
    assert any(r.aad_id == COMMS.aad_id for e in c.escalations for r in e.recipients)


async def test_without_the_escalation_the_briefing_mentions_the_comms_lead(
        world: World) -> None:
    plain = Closing(world.svc.writer)  # no media policy wired: the default tells comms
    case = await cspr_case(world.svc)
    await plain.record_briefing(LEAD, case.number, None, media_likely=True)
    notice = [x for x in await world.notices(case.number) if x["key"].startswith("media:")][0]
    assert [m["aad_id"] for m in notice["mentions"]] == [COMMS.aad_id]
    assert "<at>Cora Comms</at>" in notice["text"]


async def test_agenda_overdue_and_discussions(world: World, clock: FixedClock) -> None:
    review = await cspr_case(world.svc)
    waiting = await path1_case(world.svc, steis="2026/2222")
    agenda = await world.svc.agenda(LEAD)
    assert {c.number for c in agenda} == {review.number, waiting.number}
    assert await world.svc.overdue(LEAD) == []
    clock.advance(days=200)
    late = await world.svc.overdue(LEAD, "Devon")
    assert [c.number for c in late] == [review.number]
    assert await world.svc.overdue(LEAD, "Kent") == []
    with pytest.raises(PermissionDenied):
        await world.svc.agenda(NOBODY)
    out = await world.svc.record_discussion(PANEL, review.number, None, None, "Draft due")
    assert out.case.discussions[-1].note == "Draft due"
    again = await world.svc.record_discussion(PANEL, review.number, None, None, "Draft due")
    assert not again.changed and len(again.case.discussions) == 1

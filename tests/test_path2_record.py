"""Issue 4's Path 2 record, learning, role gaps and the roles CSV import, on a real database."""

from __future__ import annotations

from datetime import date

import pytest

from tests.support.service_world import (
    ROLES,
    World,
    actor,
    directors,
    grant,
    new_case,
    world,
)
from tracker.deadlines import WorkingDays, clocks_for
from tracker.errors import InvalidInput, NotFound, PermissionDenied
from tracker.model import IdKind, Route
from tracker.permissions import Scope, ScopeKind
from tracker.ports import Person
from tracker.roles_csv import parse_roles_csv
from tracker.service.path2 import Path2Update

pytestmark = pytest.mark.storage
__all__ = ["world"]  # the fixture
TODAY = date(2026, 11, 24)


async def on_path2(w: World) -> int:
    lead = w.who("Lena Lead")
    case = await new_case(w)
    await w.service.decide_route(lead, case.number, None, Route.PATH2, level="psii")
    return case.number


async def test_framework_response_identifiers_and_the_legacy_dates(world: World) -> None:
    lead = world.who("Lena Lead")
    n = await on_path2(world)
    case = await world.service.get_case(lead, n)
    assert case.framework == "psirf"  # the route decision's default
    with pytest.raises(InvalidInput, match="legacy SI framework"):
        await world.service.update_path2(lead, n, None, Path2Update(
            report_72h_on=date(2026, 11, 23)), TODAY)
    out = await world.service.update_path2(lead, n, None, Path2Update(
        framework="SIF 2015", response_type="si investigation",
        identifiers=((IdKind.STEIS, "2026/777"), (IdKind.LFPSE, ""))), TODAY)
    c = out.case
    assert (c.framework, c.response_type) == ("sif_2015", "si_investigation")
    assert c.ids(IdKind.STEIS) == ["2026/777"]
    # The investigation is due 60 working days from the date added (timescales.json) ...
    assert c.investigation_due_on is None
    [si] = [k for k in clocks_for(c, world.service.ref.timescales, WorkingDays())
            if k.key == "si_investigation"]
    assert si.due == date(2027, 2, 19) and si.label == "SI investigation"
    out = await world.service.update_path2(lead, n, None, Path2Update(
        report_72h_on=date(2026, 11, 24), investigation_due_on=date(2027, 3, 1)), TODAY)
    assert out.case.report_72h_on == date(2026, 11, 24)
    assert out.case.investigation_due_on == date(2027, 3, 1)
    # ... until an investigation date is agreed: it replaces the default, one due date.
    [si] = [k for k in clocks_for(out.case, world.service.ref.timescales, WorkingDays())
            if k.key == "si_investigation"]
    assert (si.due, si.label) == (date(2027, 3, 1), "SI investigation (agreed date)")
    assert await world.service.overdue(lead) == []
    same = await world.service.update_path2(lead, n, None, Path2Update(framework="sif_2015"),
                                            TODAY)
    assert not same.changed
    with pytest.raises(InvalidInput, match="future"):
        await world.service.update_path2(lead, n, None, Path2Update(
            report_72h_on=date(2026, 12, 1)), TODAY)
    with pytest.raises(InvalidInput, match="framework"):
        await world.service.update_path2(lead, n, None, Path2Update(framework="ITIL"), TODAY)
    # The card form sends the record back whole: unchanged dates are not a change.
    back = await world.service.update_path2(lead, n, None, Path2Update(
        framework="psirf", report_72h_on=date(2026, 11, 24),
        investigation_due_on=date(2027, 3, 1)), TODAY)
    assert back.message == f"Case {n} updated: framework."


async def test_identifiers_are_unique_and_path2_fields_need_path2(world: World) -> None:
    lead = world.who("Lena Lead")
    n = await on_path2(world)
    await world.service.update_path2(lead, n, None, Path2Update(
        identifiers=((IdKind.LFPSE, "LF-1"),)), TODAY)
    other = await new_case(world)
    with pytest.raises(InvalidInput, match=f"already belongs to case {n}"):
        await world.service.update_path2(lead, other.number, None, Path2Update(
            identifiers=((IdKind.LFPSE, "LF-1"),)), TODAY)
    assert (await world.service.get_case(lead, other.number)).ids(IdKind.LFPSE) == []
    with pytest.raises(InvalidInput, match="once it is on Path 2"):
        await world.service.update_path2(lead, other.number, None, Path2Update(
            framework="psirf"), TODAY)
    with pytest.raises(InvalidInput, match="NHS number"):
        await world.service.update_path2(lead, n, None, Path2Update(
            identifiers=((IdKind.LOCAL, "943 476 5919"),)), TODAY)


async def test_specialist_flag_on_a_media_case_reaches_the_specialist_comms_lead(
        world: World) -> None:
    await directors(world)
    await grant(world, "Sid Specialist", "specialist_comms_lead")
    case = await new_case(world, media_interest=True)
    out = await world.service.update_path2(world.who("Lena Lead"), case.number, None,
                                           Path2Update(specialist_commissioned=True), TODAY)
    assert out.case.specialist_commissioned
    assert [r.name for r in out.case.escalations[-1].recipients] == ["Sid Specialist"]


async def test_learning_is_recorded_listed_and_continues_after_closure(world: World) -> None:
    rita = await grant(world, "Rita Regional", "regional_safeguarding_lead",
                       Scope(ScopeKind.REGION, "south-west"))
    n = await on_path2(world)
    out = await world.service.record_learning(rita, n, None, "7-minute briefing", None,
                                              "ICB safeguarding leads", TODAY)
    assert "7-minute briefing on 24 Nov 2026" in out.message
    item = out.case.learning[0]
    assert (item.kind, item.level, item.by) == ("seven_minute_briefing", "regional",
                                                "Rita Regional")
    lead = world.who("Lena Lead")
    await world.service.record_learning(lead, n, None, "bulletin", date(2026, 11, 20), "", TODAY)
    shared = await world.service.learning_shared(lead)
    assert [(s.case.number, s.item.kind, s.item.level) for s in shared] == [
        (n, "seven_minute_briefing", "regional"), (n, "bulletin", "local")]
    assert await world.service.learning_shared(lead, "Kent") == []
    with pytest.raises(InvalidInput, match="future"):
        await world.service.record_learning(lead, n, None, "event", date(2026, 12, 1), "",
                                            TODAY)
    with pytest.raises(InvalidInput, match="dissemination kind"):
        await world.service.record_learning(lead, n, None, "carrier pigeon", None, "", TODAY)
    with pytest.raises(PermissionDenied):
        await world.service.record_learning(actor("Nobody"), n, None, "bulletin", None, "",
                                            TODAY)


async def test_role_gaps_per_locality(world: World) -> None:
    lead = world.who("Lena Lead")
    await directors(world, skip="medical_director")
    [devon] = await world.service.role_gaps(lead)
    assert devon.locality == "NHS Devon ICB"
    assert "Medical director" in devon.roles and "Director of nursing" not in devon.roles
    assert "Safeguarding lead" not in devon.roles  # the team's lead covers the team's cases
    [kent] = await world.service.role_gaps(lead, "Kent")
    assert "Director of nursing" in kent.roles
    with pytest.raises(InvalidInput):
        await world.service.role_gaps(lead, "Atlantis")


def test_roles_csv_with_and_without_a_header() -> None:
    text = ("\ufeffRole,Locality,User Principal Name,Display Name,AAD Object ID\n"
            "medical director,Devon,max@example.nhs.uk,Max Medical,\n"
            "\n"
            "director of nursing,,nia@example.nhs.uk,,\n")
    rows, problems = parse_roles_csv(text)
    assert [(r.line, r.role, r.locality, r.upn, r.name) for r in rows] == [
        (2, "medical director", "Devon", "max@example.nhs.uk", "Max Medical")]
    assert problems == ["line 4: missing locality."]
    rows, problems = parse_roles_csv("comms lead,Kent,cal@example.nhs.uk\n")
    assert rows[0].role == "comms lead" and rows[0].line == 1 and not problems
    assert parse_roles_csv("") == ([], ["The file is empty."])
    assert parse_roles_csv("role,locality,phone\n")[1][0].startswith("The header needs")


async def test_roles_import_resolves_by_aad_id_seen_upn_or_teams_lookup(world: World) -> None:
    async with world.service.uow() as uow:
        await uow.directory.upsert_person(Person("aad-seen", "29:seen", "Sam Seen",
                                                 "sam@example.nhs.uk"))
        await uow.commit()
    text = ("role,locality,upn,name,aad object id\n"
            f"{'director of nursing'},Devon,nia@example.nhs.uk,Nia Nursing,aad-nia\n"
            "medical director,Devon,SAM@example.nhs.uk,,\n"
            "locality director,Devon,lou@example.nhs.uk,,\n"
            "comms lead,Devon,ghost@example.nhs.uk,,\n"
            "wizard,Devon,x@example.nhs.uk,,\n"
            "comms lead,Atlantis,x@example.nhs.uk,,\n"
            "regional lead,region South West,nia@example.nhs.uk,,aad-nia\n")
    rows, problems = parse_roles_csv(text)

    async def lookup(upn: str) -> Person | None:
        if upn == "lou@example.nhs.uk":
            return Person("aad-lou", "29:lou", "Lou Locality", upn)
        return None

    report = await world.service.import_roles(rows, lookup)
    assert report.added == [
        "Nia Nursing: director of nursing for NHS Devon ICB",
        "Sam Seen: medical director for NHS Devon ICB",
        "Lou Locality: locality director for NHS Devon ICB",
        "Nia Nursing: regional safeguarding lead for the South West region"]
    assert [p.split(":")[0] for p in report.problems] == ["line 6", "line 7", "line 5"]
    assert "couldn't find ghost@example.nhs.uk" in report.problems[2]
    assert "don't know the role 'wizard'" in report.problems[0]
    again = await world.service.import_roles(rows, lookup)
    assert again.added == [] and len(again.unchanged) == 4
    async with world.service.uow() as uow:
        holders = {(h.person.name, h.role) for h in await uow.directory.holders()}
    assert {(ROLES["director_nursing"], "director_nursing"),
            ("Sam Seen", "medical_director"), ("Lou Locality", "locality_director")} <= holders


async def test_hidden_cases_answer_like_missing_ones(world: World) -> None:
    kent_lead = await grant(world, "Kim Kent", "safeguarding_lead",
                            Scope(ScopeKind.LOCALITY, "kent-and-medway"))
    n = await on_path2(world)
    for call in (world.service.flag_media(kent_lead, n),
                 world.service.escalate(kent_lead, n, None, "regional", "x"),
                 world.service.acknowledge(kent_lead, n)):
        with pytest.raises(NotFound, match=f"couldn't find case {n}"):
            await call

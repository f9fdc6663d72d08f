"""The permission matrix is data, and one function decides: can(access, action, case)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from storage.tables import case_events
from tests.support.service_world import World, grant, new_case, world
from tracker.model import Actor, Case, PersonRef
from tracker.permissions import (
    ACTION_WORDS,
    NATIONAL,
    Access,
    Grant,
    Scope,
    ScopeKind,
    can,
    visible,
)
from tracker.reference import Reference

__all__ = ["world"]  # the fixture
REF = Reference.load()
ISSUE_ACTIONS = {"view", "triage", "decide_route", "panel_decision", "edit_record", "close",
                 "reopen", "escalate", "acknowledge", "export", "manage_roles", "setup"}
ME = Actor("29:me", "aad-me", "Me")


def case(locality: str = "devon") -> Case:
    loc = REF.localities[locality]
    return Case(number=7, locality=loc.key, region=loc.region,
                created_at=datetime(2026, 11, 24, tzinfo=UTC), reported_by="Trust",
                summary="x", incident_date=date(2026, 11, 20), team_id="T1")


def access(*grants: tuple[str, Scope]) -> Access:
    return Access(ME, tuple(Grant(r, s) for r, s in grants))


def test_the_matrix_is_data_and_covers_every_action_and_known_role() -> None:
    assert ISSUE_ACTIONS <= set(REF.permissions)
    assert set(REF.permissions) <= set(ACTION_WORDS), "give each action words for refusals"
    for action, roles in REF.permissions.items():
        assert roles and roles <= set(REF.roles), action


def test_locality_region_and_national_scopes() -> None:
    devon, cornwall = case("devon"), case("cornwall-and-the-isles-of-scilly")
    kent = case("kent-and-medway")
    local = access(("safeguarding_lead", Scope(ScopeKind.LOCALITY, "devon")))
    regional = access(("regional_safeguarding_lead", Scope(ScopeKind.REGION, "south-west")))
    national = access(("national_contact", NATIONAL))
    assert can(REF, local, "close", devon) and not can(REF, local, "close", cornwall)
    assert can(REF, local, "close", cornwall).reason == "not in scope"
    assert visible(regional, devon) and visible(regional, cornwall)
    assert not visible(regional, kent)
    assert all(visible(national, c) for c in (devon, cornwall, kent))
    assert not can(REF, national, "close", devon)  # sees everything, may not close


def test_refusals_say_why() -> None:
    nobody = access()
    verdict = can(REF, nobody, "close", case())
    assert not verdict and "hold a safeguarding role" in verdict.reason
    panel = access(("panel_member", Scope(ScopeKind.LOCALITY, "devon")))
    verdict = can(REF, panel, "reopen", case())
    assert not verdict and "safeguarding lead" in verdict.reason
    allowed = can(REF, panel, "panel_decision", case())
    assert allowed and allowed.reason.startswith("Panel member for")
    assert not can(REF, panel, "no_such_action")


def test_a_team_scope_covers_nothing() -> None:
    """A team is a place, not a scope of power: a leftover team grant sees no case."""
    team = access(("safeguarding_lead", Scope(ScopeKind.TEAM, "T1")))
    mine = case()
    mine.team_id = "T1"
    assert not can(REF, team, "view", mine)
    assert not visible(team, mine)


@pytest.mark.storage
async def test_one_to_one_messages_go_only_to_people_who_may_see_the_case(world: World) -> None:
    c = await new_case(world)
    director = await grant(world, "Dee Director", "director_nursing")  # Devon
    stranger = await grant(world, "Sam Elsewhere", "director_nursing",
                           Scope(ScopeKind.LOCALITY, "kent-and-medway"))
    async with world.service.uow() as uow:
        ok = await world.service.may_receive(
            uow, PersonRef(director.aad_id, director.name, director.teams_id), c)
        refused = await world.service.may_receive(
            uow, PersonRef(stranger.aad_id, stranger.name, stranger.teams_id), c)
        await uow.commit()
    assert ok and not refused
    async with world.engine.connect() as conn:
        kinds = [r.kind for r in await conn.execute(
            select(case_events.c.kind).where(case_events.c.case_number == c.number))]
    assert "recipient_refused" in kinds


def test_scopes_resolve_exactly_or_list_candidates() -> None:
    """Issue 10 (scope confused): exact names, aliases and unambiguous prefixes only."""
    from tracker.errors import InvalidInput

    assert REF.place("South East").kind == "region"
    assert REF.place("south east london").key == "south-east-london"
    assert REF.place("Kent").key == "kent-and-medway"
    assert REF.place("BSW").key.startswith("bath-and-north-east-somerset")
    assert REF.place("region South West").key == "south-west"
    for text, words in (("North", "could be any of"), ("Essex", "only part of a name"),
                        ("Atlantis", "don't know")):
        with pytest.raises(InvalidInput) as e:
            REF.place(text)
        assert words in e.value.errors["scope"]
    with pytest.raises(InvalidInput) as e:
        REF.locality("South East")
    assert "is a region, not an ICB" in e.value.errors["locality"]
    with pytest.raises(InvalidInput):
        REF.region_key("Devon")


def test_a_scope_contains_only_what_it_covers() -> None:
    devon = Scope(ScopeKind.LOCALITY, "devon")
    sw, se = Scope(ScopeKind.REGION, "south-west"), Scope(ScopeKind.REGION, "south-east")
    assert Scope(ScopeKind.NATIONAL).contains(devon, REF) and sw.contains(devon, REF)
    assert not se.contains(devon, REF) and not devon.contains(sw, REF)
    assert not Scope(ScopeKind.TEAM, "T1").contains(devon, REF)

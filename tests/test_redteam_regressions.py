"""Issue 10's examples, each as a named regression test, driven over HTTP with the emulator.

Nobody can claim the tracker, confuse a scope or slip past the edge; a committed change is never
reported as not made, nor applied twice.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from storage.tables import case_events, outbox
from tests.conftest import API_KEY, Database, bot_settings
from tests.support.emulator import ConnectorEmulator, adaptive_card
from tests.support.harness import Driver, card_text, start_bot
from tests.support.redteam import ADMIN, SECRETS, RedTeam, answer_text, new_case, red_team
from tests.support.teams import (
    card_invoke,
    group_message,
    make_team,
    new_thread_id,
    personal_message,
)
from tests.test_foundation_e2e import INCIDENT, intake
from tracker.clock import FixedClock

pytestmark = pytest.mark.e2e


@pytest.fixture
async def world(database: Database, clock: FixedClock,
                emulator: ConnectorEmulator) -> AsyncIterator[RedTeam]:
    async with red_team(database, clock, emulator) as w:
        yield w


async def events_of(w: RedTeam, kind: str) -> list[dict[str, Any]]:
    async with w.home.bot.services.engine.connect() as conn:
        rows = await conn.execute(select(case_events.c.data).where(case_events.c.kind == kind))
        return [dict(r.data) for r in rows]


# --- routing hijacked --------------------------------------------------------------------------
async def test_setup_in_a_new_team_by_a_no_role_person_is_refused(world: RedTeam) -> None:
    """Issue 10: "This channel is now the default safeguarding channel… you are now its
    safeguarding lead", then `role safeguarding lead @self for NHS Kent and Medway ICB`."""
    before = await world.snapshot()
    for text in ("setup", "setup Kent and Medway", "move channel", "move channel for Kent"):
        answer = await answer_text(await world.nora.say(text, "Nora Norole"))
        assert "is now" not in answer and "Only people" in answer, (text, answer)
    answer = await answer_text(await world.nora.say(
        "role safeguarding lead <at>Nora Norole</at> for NHS Kent and Medway ICB", "Nora Norole",
        mentions=("Nora Norole",)))
    assert "Only people" in answer and "is now" not in answer
    assert await world.snapshot() == before
    # Kent's next incident still opens in the home team's default channel.
    n = await new_case(world.home, "Kent and Medway", "Another fall in Medway (Kent)")
    thread = await world.home.thread_of_case(n)
    assert thread.body["channelData"]["channel"]["id"] == world.home.team.safeguarding_channel_id
    # Nora sees none of its cases, anywhere.
    for number in (n, world.cases["kent"]):
        answer = await answer_text(await world.nora.dm(f"case {number}", "Nora Norole"))
        assert SECRETS["kent"] not in answer and "Medway" not in answer
        assert "Only people" in answer
    answer = await answer_text(await world.nora.dm("cases", "Nora Norole"))
    assert str(n) not in answer.replace("Only people", "")


async def test_an_icb_lead_cannot_point_another_icbs_incidents_at_their_channel(
    world: RedTeam,
) -> None:
    """Issue 10: a lead of one ICB typed `setup <another ICB>` in their own team."""
    before = await world.snapshot()
    channels_before = await world.channel_rows()
    for text in ("setup Devon", "move channel for Devon", "setup", "move channel"):
        answer = await answer_text(await world.nora.say(text, "Kim Kent"))
        assert "can't set up channels" in answer and "is now" not in answer, (text, answer)
    assert await world.snapshot() == before and await world.channel_rows() == channels_before
    n = await new_case(world.home, "Devon", "Another bruise at nursery (Devon)")
    thread = await world.home.thread_of_case(n)
    assert thread.body["channelData"]["channel"]["id"] == world.home.team.safeguarding_channel_id
    # Her own ICB she may attach to her team's channel: the setup right in that scope.
    answer = await answer_text(await world.nora.say("setup Kent", "Kim Kent"))
    assert "safeguarding channel for NHS Kent and Medway ICB" in answer
    assert "first to set up" not in answer


async def test_a_locality_channel_is_never_replaced_silently(world: RedTeam) -> None:
    """`set_channel` used to overwrite the row whoever owned it; now `setup` refuses and
    `move channel` moves it, with a notice in both channels and an event."""
    home, nora = world.home, world.nora
    general = home.team.general_channel_id
    answer = await answer_text(await home.say("setup Kent", "Kim Kent", channel=general))
    assert "NHS Kent and Medway ICB" in answer
    answer = await answer_text(await nora.say("setup Kent", "Kim Kent"))
    assert "already another channel" in answer and "move channel for" in answer
    assert (await world.channel_rows())["kent-and-medway"] == general
    answer = await answer_text(await nora.say("move channel for Kent", "Kim Kent"))
    assert "notice was posted" in answer
    new = nora.team.safeguarding_channel_id
    assert (await world.channel_rows())["kent-and-medway"] == new
    moved = await events_of(world, "channel_moved")
    assert moved and moved[0]["old"]["channel_id"] == general \
        and moved[0]["new"]["channel_id"] == new

    def notice_in(channel: str) -> bool:
        return any(c.kind == "create" and c.ok
                   and (c.body.get("channelData") or {}).get("channel", {}).get("id") == channel
                   and "moved" in str((c.body.get("activity") or {}).get("text", ""))
                   for c in home.emu.calls)
    await home.emu.wait_for(lambda: notice_in(general) and notice_in(new),
                            message="move notices in both channels")
    n = await new_case(home, "Kent", "Yet another fall (Kent)")
    thread = await home.thread_of_case(n)
    assert thread.body["channelData"]["channel"]["id"] == new


async def test_team_scoped_grants_are_migrated_and_cover_nothing_before(
    database: Database,
) -> None:
    """Migration 0005: a team-scoped lead of the team holding the default channel becomes a
    national lead; a team panel member becomes a member for the ICBs the team carried."""
    from sqlalchemy import insert

    from storage.db import create_engine
    from storage.migrate import upgrade
    from storage.tables import cases as cases_t
    from storage.tables import channels, role_grants
    engine = create_engine(database.url, schema=database.schema)
    try:
        await upgrade(engine, revision="0004")
        async with engine.begin() as conn:
            await conn.execute(insert(channels).values(
                locality="", channel_id="C1", team_id="T1", service_url="https://s",
                tenant_id="t"))
            await conn.execute(insert(role_grants), [
                {"aad_id": "lead", "role": "safeguarding_lead", "scope_kind": "team",
                 "scope_key": "T1"},
                {"aad_id": "panel", "role": "panel_member", "scope_kind": "team",
                 "scope_key": "T1"},
                {"aad_id": "stray", "role": "panel_member", "scope_kind": "team",
                 "scope_key": "T9"}])
            from datetime import UTC, datetime
            await conn.execute(insert(cases_t).values(
                number=1, state="new", locality="devon", region="south-west", team_id="T1",
                is_open=True, version=1, record={}, created_at=datetime.now(UTC)))
        await upgrade(engine)
        async with engine.connect() as conn:
            rows = {(r.aad_id, r.role, r.scope_kind, r.scope_key)
                    for r in await conn.execute(select(role_grants))}
            migrated = list(await conn.execute(select(case_events.c.data).where(
                case_events.c.kind == "role_migrated")))
        assert rows == {("lead", "safeguarding_lead", "national", ""),
                        ("panel", "panel_member", "locality", "devon")}
        assert len(migrated) == 3
    finally:
        await engine.dispose()


# --- scope confused ------------------------------------------------------------------------------
async def test_a_regional_role_typed_for_a_region_is_held_for_that_region(
    world: RedTeam,
) -> None:
    """Issue 10: `role regional safeguarding lead @Rita for South East` became South East
    London ICB, so the regional lead could not see Kent's cases."""
    home = world.home
    answer = await answer_text(await home.say(
        "role regional safeguarding lead <at>Rita Regional</at> for South East", ADMIN.name,
        mentions=("Rita Regional",)))
    assert "Rita Regional is now regional safeguarding lead for the South East region" in answer
    listed = await answer_text(await home.dm("cases", "Rita Regional"))
    assert f"Case {world.cases['kent']}" in listed or SECRETS["kent"] in listed
    for name in ("kent", "sussex"):
        shown = await answer_text(await home.dm(f"case {world.cases[name]}", "Rita Regional"))
        assert SECRETS[name] in shown, shown
    shown = await answer_text(await home.dm(f"case {world.cases['devon']}", "Rita Regional"))
    assert SECRETS["devon"] not in shown and "couldn't find" in shown


async def test_ambiguous_and_partial_scopes_list_candidates_and_change_nothing(
    world: RedTeam,
) -> None:
    home = world.home
    before = await world.snapshot()
    for where, expect in (("North", "could be any of"), ("Essex", "only part of a name"),
                          ("London ICB", "is a region, not an ICB"), ("Atlantis", "don't know")):
        answer = await answer_text(await home.say(
            f"role panel member <at>Pat Panel</at> for {where}", ADMIN.name,
            mentions=("Pat Panel",)))
        assert expect in answer and "is now" not in answer, (where, answer)
    answer = await answer_text(await home.say(
        "role panel member <at>Pat Panel</at> for North", ADMIN.name, mentions=("Pat Panel",)))
    assert "North West region" in answer and "NHS North Central London ICB" in answer
    # An incident filed "for South East" is refused: a region is not an ICB.
    status, body = await intake(home, {**INCIDENT, "locality": "South East"})
    assert status == 400 and "is a region, not an ICB" in json.dumps(body)
    # A regional role only for a region; an ICB role only for an ICB.
    for text in ("role regional lead <at>Pat Panel</at> for Kent",
                 "role panel member <at>Pat Panel</at> for South West",
                 "role medical director <at>Pat Panel</at> for national"):
        answer = await answer_text(await home.say(text, ADMIN.name, mentions=("Pat Panel",)))
        assert "is held for" in answer and "is now" not in answer, (text, answer)
    assert await world.snapshot() == before
    answer = await answer_text(await home.say(
        "role panel member <at>Pat Panel</at> for Kent", ADMIN.name, mentions=("Pat Panel",)))
    assert "Pat Panel is now panel member for NHS Kent and Medway ICB" in answer


async def test_a_lead_of_one_icb_or_region_cannot_grant_roles_elsewhere(world: RedTeam) -> None:
    before = await world.snapshot()
    for who, where in (("Kim Kent", "Devon"), ("Sol Southeast", "Devon"),
                       ("Kim Kent", "South East"), ("Dana Devon", "national")):
        answer = await answer_text(await world.home.say(
            f"role safeguarding lead <at>{who}</at> for {where}", who, mentions=(who,)))
        assert "is now" not in answer, (who, where, answer)
    assert await world.snapshot() == before


# --- the edge: tenant ----------------------------------------------------------------------------
@pytest.fixture
async def tenant_world(database: Database, clock: FixedClock,
                       emulator: ConnectorEmulator) -> AsyncIterator[RedTeam]:
    async with red_team(database, clock, emulator, app_tenant_id=emulator.tenant_id) as w:
        yield w


async def test_an_activity_from_another_tenant_gets_403(tenant_world: RedTeam,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    """Issue 10: the tenant was read from the activity and never compared with ours."""
    w = tenant_world
    foreign = make_team(app_id=w.home.team.bot.id, name="Elsewhere")
    mallory = w.home.user("Mallory Foreign")
    url = w.home.emu.url
    before = await w.snapshot()
    secret = "Mallory's secret words"
    for act in (
        personal_message(f"case {w.cases['devon']} {secret}", mallory, service_url=url,
                         team=foreign),
        card_invoke("triage", {"case": w.cases["devon"], "version": 1}, mallory,
                    conversation=foreign.safeguarding_channel_id, reply_to_id="1",
                    service_url=url, team=foreign),
    ):
        status, _ = await w.home.post(act)
        assert status == 403
    no_tenant = personal_message("help", mallory, service_url=url, team=foreign)
    no_tenant.pop("channelData")
    no_tenant["conversation"].pop("tenantId", None)
    assert (await w.home.post(no_tenant))[0] == 403
    assert await w.snapshot() == before
    assert any("another tenant" in r.getMessage() for r in caplog.records)
    assert not any(secret in r.getMessage() for r in caplog.records)
    # Our own tenant still works.
    answer = await answer_text(await w.home.dm(f"case {w.cases['devon']}", "Dana Devon"))
    assert SECRETS["devon"] in answer


async def test_a_proactive_target_in_another_tenant_is_refused(tenant_world: RedTeam) -> None:
    w = tenant_world
    from sqlalchemy import update

    from storage.tables import channels
    async with w.home.bot.services.engine.begin() as conn:  # a row planted behind our back
        await conn.execute(update(channels).values(tenant_id="another-tenant"))
    n = await new_case(w.home, "Devon", "Planted-row case (Devon)")

    async def failed() -> bool:
        async with w.home.bot.services.engine.connect() as conn:
            rows = list(await conn.execute(select(outbox.c.status, outbox.c.last_error).where(
                outbox.c.case_number == n, outbox.c.kind == "new_thread")))
        return bool(rows) and rows[0].status == "failed" and "403" in str(rows[0].last_error)
    import asyncio
    for _ in range(200):
        if await failed():
            break
        await asyncio.sleep(0.05)
    assert await failed()
    assert not any(c.kind == "create" and "Planted-row" in json.dumps(c.body)
                   for c in w.home.emu.calls)


async def test_local_mode_on_loopback_keeps_working(world: RedTeam) -> None:
    answer = await answer_text(await world.home.dm("help", "Dana Devon"))
    assert "Safeguarding Tracker commands" in answer


# --- never a 5xx, never a lie -------------------------------------------------------------------
async def test_each_listed_hostile_input_gets_a_4xx_and_changes_nothing(world: RedTeam) -> None:
    home = world.home
    s = home.session
    before = await world.snapshot()
    deep = "[" * 5000 + "]" * 5000
    for path in ("/api/messages", "/api/incidents"):
        async with s.post(home.bot.url + path, data=deep, headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {API_KEY}"}) as r:
            assert r.status == 400, (path, r.status)
    async with s.post(home.bot.url + "/api/incidents", data=b"{}", headers={
            "Content-Type": "application/json",
            "Authorization": b"Bearer caf\xc3\xa9-\xff".decode("latin-1")}) as r:
        assert r.status == 401
    async with s.get(home.bot.url + "/export/abc.%C3%A9.csv") as r:
        assert 400 <= r.status < 500
    surrogate = {**INCIDENT, "steis_number": "2026/\ud800", "local_reference": "\ud800"}
    for body in (surrogate, {**INCIDENT, "summary": "bad \ud800 text"},
                 {**INCIDENT, "summary": "nul \u0000 here"},
                 {**INCIDENT, "reported_by": "Trust\u0000"}):
        status, answer = await intake(home, json.dumps(body))
        assert status == 400, (status, answer)
    # Unknown invoke names and a channelData that is not an object.
    user = home.user("Dana Devon")
    act = card_invoke("triage", {"case": 1}, user, conversation=home.team.safeguarding_channel_id,
                      reply_to_id="1", service_url=home.emu.url, team=home.team)
    for name in ("task/fetch", "composeExtension/query", "no/such/thing"):
        status, _ = await home.post({**act, "name": name, "id": new_thread_id()})
        assert status == 400, (name, status)
    for bad in ([1, 2], "text", 7, {"tenant": "x"}, {"team": [1]}):
        status, _ = await home.post({**act, "channelData": bad, "id": new_thread_id()})
        assert status == 400, (bad, status)
    for text in ("note case 1 \u0000", "note case 1 \ud800", "note case 1 \x1b[2J"):
        message = personal_message(text, user, service_url=home.emu.url, team=home.team)
        before_calls = len(home.emu.calls)
        assert (await home.post(message))[0] in (200, 201)  # typed text: answered in the chat
        answer = await home.answer_after(before_calls, message["id"])
        assert "not text" in answer.body["text"]
    clicked = {**act, "id": new_thread_id()}
    clicked["value"] = {"action": {"type": "Action.Execute", "verb": "add_note",
                                   "data": {"case": 1, "note": "nul \u0000"}}}
    status, body = await home.post(clicked)
    assert status == 200 and "not text" in str(body)
    assert await world.snapshot() == before


async def test_a_429_on_the_reply_to_a_committed_note_stores_it_once_and_says_so(
    world: RedTeam,
) -> None:
    """Issue 10: the Connector answered the reply with 429 after the note was committed; the
    user was told "nothing was changed" and Teams' re-send stored the note twice."""
    home = world.home
    n = world.cases["devon"]
    dana = home.user("Dana Devon")
    act = personal_message(f"note case {n} Strategy meeting booked", dana,
                           service_url=home.emu.url, team=home.team)
    home.emu.fail_next(429, times=1, retry_after=0.1, kinds=("reply",))
    status, _ = await home.post(act)
    assert status in (200, 201)
    status, _ = await home.post(act)  # Teams re-sends the same activity
    assert status in (200, 201)

    case = await home.bot.services.service.peek(n)
    assert [c.text for c in case.comments] == ["Strategy meeting booked"]
    late = await home.emu.wait_for(
        lambda: next((c for c in home.emu.calls if c.ok and c.kind in ("send", "reply")
                      and "late because Teams was busy" in str(c.body.get("text", ""))),
                      None),
        message="the late answer")
    text = str(late.body["text"])
    assert f"Case {n} updated: comment" in text
    assert not any("nothing was changed" in str((c.body or {}).get("text", ""))
                   for c in home.emu.calls)


async def test_a_failure_before_commit_is_retried_on_re_send(world: RedTeam) -> None:
    """Forget an activity id only when its transaction rolled back: the re-send is handled."""
    home = world.home
    dana = home.user("Dana Devon")
    act = personal_message("help", dana, service_url=home.emu.url, team=home.team)
    home.emu.fail_next(500, times=1, kinds=("reply",))
    await home.post(act)
    before = len(home.emu.calls)
    await home.post(act)
    await home.answer_after(before, act["id"])


async def test_duplicates_are_keyed_on_conversation_and_activity_id(world: RedTeam) -> None:
    """Issue 10: a second team's message with the same activity id was dropped."""
    home, nora = world.home, world.nora
    shared_id = "1700000000001"
    for driver in (home, nora):
        user = driver.user("Dana Devon")
        act = personal_message("help", user, service_url=driver.emu.url, team=driver.team,
                               conversation_id=f"a:{driver.team.id}", id=shared_id)
        before = len(driver.emu.calls)
        status, _ = await driver.post(act)
        assert status in (200, 201)
        await driver.answer_after(before, shared_id)


async def test_card_clicks_in_a_group_chat_show_no_case_details(world: RedTeam) -> None:
    """Issue 10: card clicks in a group chat returned the full case card."""
    home = world.home
    chat = f"19:{new_thread_id()}@thread.v2"
    n = world.cases["devon"]
    for verb, data in (("refresh", {"case": n}), ("triage", {"case": n, "version": 1}),
                       ("route_path1", {"case": n, "version": 1})):
        act = card_invoke(verb, {"verb": verb, **data}, home.user("Dana Devon"),
                          conversation=chat, reply_to_id="1", service_url=home.emu.url,
                          team=home.team)
        status, body = await home.post(act)
        assert status == 200
        value = body.get("value")
        shown = card_text(value) if isinstance(value, dict) else str(value)
        assert body.get("type") != "application/vnd.microsoft.card.adaptive", verb
        assert SECRETS["devon"] not in shown
    said = group_message(f"case {n}", home.user("Dana Devon"), service_url=home.emu.url,
                         conversation_id=chat, team=home.team)
    before = len(home.emu.calls)
    await home.post(said)
    answer = await home.answer_after(before, said["id"])
    assert adaptive_card(answer.body) is None and SECRETS["devon"] not in answer.body["text"]


async def test_tracker_admins_given_as_a_upn_are_honoured(
    database: Database, clock: FixedClock, emulator: ConnectorEmulator,
) -> None:
    """Issue 10: `TRACKER_ADMINS` given as a UPN never matched."""
    boss = emulator.add_user("Uma Upn", upn="uma.upn@example.nhs.uk")
    running = await start_bot(bot_settings(database, admins=("Uma.Upn@example.nhs.uk",)), clock,
                              schema=database.schema)
    try:
        async with aiohttp.ClientSession() as session:
            teams = Driver(running, emulator, session, emulator.team, {"Uma Upn": boss})
            await teams.install()
            answer = await teams.say("setup", "Lena Lead")  # admins configured: no bootstrap
            assert "is now" not in answer.body["text"]
            answer = await teams.say("setup", "Uma Upn")
            assert "default safeguarding channel" in answer.body["text"]
            assert "first to set up" not in answer.body["text"]
    finally:
        await running.stop()


async def test_the_first_setup_on_an_empty_installation_makes_the_first_lead(
    teams: Driver,
) -> None:
    answer = await teams.say("setup", "Lena Lead")
    assert "first to set up this installation" in answer.body["text"]
    assert "safeguarding lead nationally" in answer.body["text"]
    other = Driver(teams.bot, teams.emu, teams.session,
                   make_team(app_id=teams.team.bot.id, tenant_id=teams.team.tenant_id),
                   teams.users)
    await other.install()
    answer = await other.say("setup", "Olly Other")  # no longer empty
    assert "is now" not in answer.body["text"]
    answer = await other.say("setup Devon", "Lena Lead")  # the national lead may
    assert "safeguarding channel for NHS Devon ICB" in answer.body["text"]


async def test_wrong_intake_keys_never_lock_out_the_real_key(
    database: Database, clock: FixedClock, emulator: ConnectorEmulator,
) -> None:
    """Issue 10: the limit was charged before the key check, so wrong-key traffic from an
    address locked out the real key from the same address."""
    running = await start_bot(bot_settings(database, intake_per_minute=3), clock,
                              schema=database.schema)
    try:
        async with aiohttp.ClientSession() as session:
            url = f"{running.url}/api/incidents"
            for _ in range(10):
                async with session.post(url, json={}, headers={
                        "Authorization": "Bearer guess"}) as r:
                    assert r.status in (401, 429)
            async with session.post(url, json=INCIDENT, headers={
                    "Authorization": f"Bearer {API_KEY}"}) as r:
                assert r.status == 409  # accepted and read: no channel is set up here yet
    finally:
        await running.stop()


async def test_two_first_setups_at_once_make_one_lead(teams: Driver) -> None:
    """The bootstrap is one row: two people in two new teams typing `setup` together can't both
    become the first lead."""
    import asyncio

    other = Driver(teams.bot, teams.emu, teams.session,
                   make_team(app_id=teams.team.bot.id, tenant_id=teams.team.tenant_id),
                   teams.users)
    await teams.install()
    await other.install()
    first = await answer_text(await teams.say("setup Devon", "Lena Lead"))
    assert "Type `setup` on its own first" in first
    answers = await asyncio.gather(teams.say("setup", "Lena Lead"),
                                   other.say("setup", "Olly Other"))
    texts = [str(a.body["text"]) for a in answers]
    assert sum("first to set up this installation" in t for t in texts) == 1, texts
    from storage.tables import role_grants
    async with teams.bot.services.engine.connect() as conn:
        assert len(list(await conn.execute(select(role_grants)))) == 1

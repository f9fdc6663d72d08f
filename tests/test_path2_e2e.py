"""Issue 4 end to end, over real HTTP as Teams drives the bot: a media escalation @mentions the
directors and sends each a 1:1 card; acknowledging from one updates the thread card in place;
another person's click is refused; the chase reminds, then goes to the regional lead; a
specialist commissioned case adds the specialist comms lead; a missing role is named."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from teams_bot.outbound import reminders
from tests.conftest import API_KEY, Database, bot_settings
from tests.support.emulator import Call, ConnectorEmulator, adaptive_card, mentioned_ids
from tests.support.harness import Driver, card_text, card_title, start_bot
from tests.support.teams import User, personal_conversation_id
from tracker.clock import FixedClock

pytestmark = pytest.mark.e2e

DIRECTORS = {"director of commissioning operations": "Dee Commissioning",
             "director of nursing": "Nia Nursing", "medical director": "Max Medical",
             "locality director": "Lou Locality"}
INCIDENT = {"reported_by": "Riverside NHS Foundation Trust", "locality": "Devon",
            "incident_date": "2026-11-20", "summary": "Serious harm on a ward; safeguarding "
            "concerns about care."}


async def give_role(teams: Driver, role: str, name: str, where: str = "Devon") -> None:
    answer = await teams.say(f"role {role} <at>{name}</at> for {where}", "Lena Lead",
                             mentions=(name,))
    assert f"{name} is now" in answer.body["text"], answer.body


async def log_case(teams: Driver, steis: str, **flags: bool) -> tuple[int, str]:
    body = json.dumps({**INCIDENT, "steis_number": steis, **flags})
    async with teams.session.post(f"{teams.bot.url}/api/incidents", data=body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {API_KEY}"}) as r:
        assert r.status == 201, await r.text()
        number = (await r.json())["case_number"]
    thread = await teams.thread_of_case(number)
    return number, thread.activity_id


def escalation_posts(teams: Driver, root: str, title: str = "Media interest") -> list[Call]:
    return [c for c in teams.emu.messages() if c.kind == "reply" and c.reply_to_id == root
            and (card := adaptive_card(c.body)) and card_title(card).startswith(title)]


def replies_saying(teams: Driver, root: str, words: str) -> list[Call]:
    return [c for c in teams.emu.messages() if c.kind == "reply" and c.reply_to_id == root
            and words in (c.body.get("text") or "")]


def one_to_one_cards(teams: Driver, user: User) -> list[Call]:
    return [c for c in teams.emu.messages(personal_conversation_id(user))
            if c.kind == "send" and adaptive_card(c.body)]


def ack_button(card: dict[str, Any]) -> dict[str, Any]:
    [button] = [a for a in card.get("actions", []) if a.get("verb") == "ack"]
    return dict(button["data"])


async def media_escalation(teams: Driver, number: int, root: str, people: int) -> Call:
    """Flag media interest with `media case N` and wait for the card and every 1:1 card."""
    answer = await teams.say(f"media case {number} local paper called the trust", "Lena Lead")
    assert "media interest recorded" in answer.body["text"], answer.body
    post = await teams.emu.wait_for(lambda: escalation_posts(teams, root),
                                    message="the escalation card")
    await teams.emu.wait_for(
        lambda: sum(len(one_to_one_cards(teams, u)) for u in teams.users.values()) >= people,
        message="the 1:1 acknowledgement cards")
    return post[0]


async def test_media_escalation_acknowledged_from_mobile_then_chased(teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    for role, name in DIRECTORS.items():
        await give_role(teams, role, name)
    await give_role(teams, "regional lead", "Rita Regional", "South West")
    number, root = await log_case(teams, "2026/4001")
    directors = {name: teams.user(name) for name in DIRECTORS.values()}

    # One thread message that mentions all four directors by their Teams ids ...
    post = await media_escalation(teams, number, root, people=4)
    assert len(escalation_posts(teams, root)) == 1
    assert mentioned_ids(post.body) == {u.id for u in directors.values()}
    thread_card = adaptive_card(post.body)
    assert "0 of 4 acknowledged" in card_text(thread_card)
    # ... and one 1:1 card each, with the case number, the reason and an Acknowledge button.
    for user in directors.values():
        [dm] = one_to_one_cards(teams, user)
        card = adaptive_card(dm.body)
        assert f"Case {number}" in card_title(card) and "local paper" in card_text(card)
        assert ack_button(card) == {"verb": "ack", "case": number, "esc": 1,
                                    "who": user.aad_object_id}

    # Nia acknowledges from her phone: her card now says so, and the thread card updates.
    nia, max_ = directors["Nia Nursing"], directors["Max Medical"]
    [nia_dm] = one_to_one_cards(teams, nia)
    nia_data = ack_button(adaptive_card(nia_dm.body))
    teams.bot.clock.advance(minutes=5)
    status, body = await teams.click("ack", nia_data, "Nia Nursing", reply_to=nia_dm.activity_id,
                                     conversation=personal_conversation_id(nia))
    assert status == 200 and body["type"] == "application/vnd.microsoft.card.adaptive", body
    assert "Acknowledged by Nia Nursing at 24 Nov 2026 10:05" in card_text(body["value"])
    await teams.emu.wait_for(lambda: teams.emu.updates(post.activity_id),
                             message="the thread card updated in place")
    shown = card_text(teams.emu.last_card(post.activity_id) or {})
    assert "1 of 4 acknowledged" in shown
    assert "Acknowledged 24 Nov 2026 10:05" in shown and shown.count("Waiting") == 3
    await teams.emu.wait_for(lambda: teams.emu.updates(nia_dm.activity_id),
                             message="Nia's 1:1 card updated in place")
    assert "Acknowledged by Nia Nursing" in card_text(teams.emu.last_card(nia_dm.activity_id)
                                                      or {})

    # Max pressing Nia's button is refused, and nothing changes; a second click is harmless.
    updates = len(teams.emu.updates(post.activity_id))
    status, body = await teams.click("ack", nia_data, "Max Medical",
                                     reply_to=nia_dm.activity_id,
                                     conversation=personal_conversation_id(max_))
    assert status == 200 and "only they can acknowledge it" in str(body["value"]), body
    status, body = await teams.click("ack", {"case": number, "esc": 1}, "Ollie Other",
                                     reply_to=post.activity_id)
    assert "role" in str(body["value"]), body  # no role: refused before anything is read
    status, body = await teams.click("ack", nia_data, "Nia Nursing", reply_to=nia_dm.activity_id,
                                     conversation=personal_conversation_id(nia))
    assert "Acknowledged by Nia Nursing" in card_text(body["value"])
    assert "1 of 4 acknowledged" in card_text(teams.emu.last_card(post.activity_id) or {})
    assert len(teams.emu.updates(post.activity_id)) == updates

    # Past the first interval a reminder mentions the three still waiting ...
    services = teams.bot.services
    teams.bot.clock.advance(minutes=26)
    await reminders.tick(services)
    [reminder] = await teams.emu.wait_for(lambda: replies_saying(teams, root, "Reminder:"),
                                          message="the reminder")
    waiting = {directors[n].id for n in ("Dee Commissioning", "Max Medical", "Lou Locality")}
    assert mentioned_ids(reminder.body) == waiting
    # ... and past the second, the regional safeguarding lead is brought in.
    teams.bot.clock.advance(minutes=30)
    await reminders.tick(services)
    rita = teams.user("Rita Regional")
    [regional] = await teams.emu.wait_for(
        lambda: replies_saying(teams, root, "regional safeguarding lead"),
        message="the regional escalation")
    assert mentioned_ids(regional.body) == {rita.id}
    await teams.emu.wait_for(lambda: one_to_one_cards(teams, rita), message="Rita's 1:1 card")
    await teams.emu.wait_for(
        lambda: "passed to the regional" in card_text(teams.emu.last_card(post.activity_id)
                                                      or {}),
        message="the thread card showing the regional step")


async def test_specialist_commissioned_case_also_mentions_the_specialist_comms_lead(
        teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    for role, name in DIRECTORS.items():
        await give_role(teams, role, name)
    await give_role(teams, "specialist comms lead", "Sid Specialist")
    number, root = await log_case(teams, "2026/4002", media_interest=True,
                                  specialist_commissioned=True)  # flagged at intake
    [post] = await teams.emu.wait_for(lambda: escalation_posts(teams, root),
                                      message="the escalation card")
    people = [*DIRECTORS.values(), "Sid Specialist"]
    assert mentioned_ids(post.body) == {teams.user(n).id for n in people}
    assert "Specialist commissioned communications lead" in card_text(adaptive_card(post.body))
    await teams.emu.wait_for(lambda: all(one_to_one_cards(teams, teams.user(n)) for n in people),
                             message="five 1:1 cards")


async def test_a_missing_director_role_is_named_and_the_lead_told(teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    for role, name in DIRECTORS.items():
        if name != "Max Medical":
            await give_role(teams, role, name)
    number, root = await log_case(teams, "2026/4003")
    post = await media_escalation(teams, number, root, people=3)
    assert "Nobody holds: Medical director" in card_text(adaptive_card(post.body))
    assert len(mentioned_ids(post.body)) == 3
    [gap] = await teams.emu.wait_for(lambda: replies_saying(teams, root, "nobody holds"),
                                     message="the gap message")
    assert "medical director for NHS Devon ICB" in gap.body["text"]
    assert mentioned_ids(gap.body) == {teams.user("Lena Lead").id}
    answer = await teams.say("roles Devon", "Lena Lead")
    gaps = answer.body["text"].split("Gaps")[1]
    assert "NHS Devon ICB:" in gaps and "Medical director" in gaps
    assert "Director of nursing" not in gaps


async def test_regional_escalation_command_and_bad_input(teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    await give_role(teams, "regional lead", "Rita Regional", "South West")
    number, root = await log_case(teams, "2026/4004")
    answer = await teams.say(f"escalate case {number} to regional two ICBs involved",
                             "Lena Lead")
    assert "escalated (regional escalation)" in answer.body["text"], answer.body
    [post] = await teams.emu.wait_for(lambda: escalation_posts(teams, root, "Regional"),
                                      message="the regional escalation card")
    assert mentioned_ids(post.body) == {teams.user("Rita Regional").id}
    assert "two ICBs involved" in card_text(adaptive_card(post.body))
    for text, expected in ((f"escalate case {number} sideways now", "regional or national"),
                           (f"escalate case {number} regional", "why"),
                           ("escalate case 9999 regional x", "couldn't find case 9999"),
                           (f"ack case {number}", "not addressed to you")):
        answer = await teams.say(text, "Lena Lead")
        assert expected in answer.body["text"], (text, answer.body)
    answer = await teams.say(f"escalate case {number} regional x", "Ollie Other")
    assert "role" in answer.body["text"]
    assert len(escalation_posts(teams, root, "Regional")) == 1


async def test_path2_card_escalates_nationally_records_learning_and_lists_it(
        teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    await give_role(teams, "regional lead", "Rita Regional", "South West")
    number, root = await log_case(teams, "2026/4005")
    status, body = await teams.click("route_path2", {"case": number, "version": 1,
                                                     "level": "psii"}, "Lena Lead", reply_to=root)
    assert status == 200 and "Path 2" in card_text(body["value"])
    version = (await teams.bot.services.service.peek(number)).version
    status, body = await teams.click("escalate", {
        "case": number, "version": version, "esc_level": "national",
        "esc_reason": "National press interest"}, "Lena Lead", reply_to=root)
    assert "escalated (national escalation)" in card_text(body["value"]), body
    [post] = await teams.emu.wait_for(lambda: escalation_posts(teams, root, "National"),
                                      message="the national escalation card")
    rita = teams.user("Rita Regional")
    assert mentioned_ids(post.body) == {rita.id}
    # Rita acknowledges from an older client: the Action.Submit fallback does the same.
    [dm] = await teams.emu.wait_for(lambda: one_to_one_cards(teams, rita), message="Rita's card")
    reply = await teams.submit(ack_button(adaptive_card(dm.body)), "Rita Regional",
                               reply_to=dm.activity_id,
                               conversation=personal_conversation_id(rita))
    assert "Everyone has now acknowledged" in reply.body["text"], reply.body
    await teams.emu.wait_for(
        lambda: "1 of 1 acknowledged" in card_text(teams.emu.last_card(post.activity_id) or {}),
        message="the thread card updated")
    # The regional team records a 7-minute briefing from the case card; `learning` lists it.
    version = (await teams.bot.services.service.peek(number)).version
    status, body = await teams.click("record_learning", {
        "case": number, "version": version, "learn_kind": "seven_minute_briefing",
        "learn_on": "2026-11-24", "learn_audience": "GP practices"}, "Rita Regional",
        reply_to=root)
    assert "7-minute briefing on 24 Nov 2026 for GP practices" in card_text(body["value"])
    answer = await teams.say("learning Devon", "Lena Lead")
    assert (f"24 Nov 2026: 7-minute briefing for GP practices (case {number}, NHS Devon ICB; "
            "regional, recorded by Rita Regional)") in answer.body["text"]
    answer = await teams.say("learning Kent", "Lena Lead")
    assert "No learning has been recorded for NHS Kent and Medway ICB" in answer.body["text"]


class WallClock(FixedClock):
    """The real time: for a run that waits as a person would."""

    def now(self) -> datetime:
        return datetime.now(UTC)


async def test_chasing_intervals_go_down_to_seconds(database: Database,
                                                    emulator: ConnectorEmulator) -> None:
    settings = bot_settings(database, ack_reminder_minutes=0.01, ack_escalate_minutes=0.03,
                            tick_seconds=0.1)  # 0.6 s and 1.8 s
    running = await start_bot(settings, WallClock(), schema=database.schema)
    try:
        async with aiohttp.ClientSession() as session:
            teams = Driver(running, emulator, session, emulator.team)
            await teams.setup_team("Lena Lead")
            await give_role(teams, "medical director", "Max Medical")
            await give_role(teams, "regional lead", "Rita Regional", "South West")
            number, root = await log_case(teams, "2026/4006", media_interest=True)
            await teams.emu.wait_for(lambda: replies_saying(teams, root, "Reminder:"),
                                     timeout=10, message="the reminder, in real time")
            [regional] = await teams.emu.wait_for(
                lambda: replies_saying(teams, root, "regional safeguarding lead"), timeout=10,
                message="the regional escalation, in real time")
            assert "within 1.8 seconds" in regional.body["text"]
    finally:
        await running.stop()

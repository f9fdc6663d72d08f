"""Inbound safety over real HTTP: a re-sent activity is handled once, bad bodies get a clear 4xx
(never a 500 or a traceback) on both endpoints, and card clicks are answered within Teams'
5 seconds, whatever the connector or the database is doing."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from storage.tables import case_events, outbox
from teams_bot.http import keys as K
from tests.conftest import API_KEY, Database, bot_settings
from tests.support.emulator import ConnectorEmulator
from tests.support.harness import Driver
from tests.support.reliability import incident, intake, live_driver, settled
from tests.support.teams import card_invoke, card_submit, channel_message

pytestmark = pytest.mark.e2e


@pytest.fixture
async def live(database: Database, emulator: ConnectorEmulator) -> AsyncIterator[Driver]:
    async with live_driver(bot_settings(database), emulator, database.schema) as driver:
        await driver.setup_team("Lena Lead")
        yield driver


async def new_case(teams: Driver) -> tuple[int, str]:
    status, body = await intake(teams.session, teams.bot.url, incident(1, steis=True))
    assert status == 201, body
    number = int(body["case_number"])
    return number, (await teams.thread_of_case(number)).activity_id


async def case_events_of(teams: Driver, kind: str) -> int:
    async with teams.bot.services.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(case_events).where(
            case_events.c.kind == kind))).scalar_one())


def invoke(teams: Driver, verb: str, data: dict[str, Any], root: str, who: str = "Lena Lead",
           activity_id: str | None = None) -> dict[str, Any]:
    return card_invoke(verb, {"verb": verb, **data}, teams.user(who),
                       conversation=teams.team.safeguarding_channel_id, reply_to_id=root,
                       service_url=teams.emu.url, team=teams.team, id=activity_id)


async def test_a_resent_click_is_handled_once(live: Driver) -> None:
    number, root = await new_case(live)
    act = invoke(live, "triage", {"case": number, "version": 1, "level": "case_review"}, root)
    first, again = await live.post(act), await live.post(act)  # Teams re-sends after 15 s
    assert first[0] == 200 and "Triaged" in json.dumps(first[1])
    assert again[0] == 200 and "already have that click" in again[1]["value"]
    assert await case_events_of(live, "triaged") == 1


async def test_a_resent_message_is_answered_once(live: Driver) -> None:
    number, root = await new_case(live)
    submit = card_submit({"verb": "triage", "case": number, "version": 1,
                          "level": "case_review"}, live.user("Lena Lead"),
                         conversation=live.team.safeguarding_channel_id, reply_to_id=root,
                         service_url=live.emu.url, team=live.team)
    for _ in range(3):
        status, _body = await live.post(submit)
        assert status in (200, 201)
    await settled(live.bot.services.engine)
    answers = [c for c in live.emu.calls if c.kind == "reply" and c.reply_to_id == submit["id"]]
    assert len(answers) == 1
    assert await case_events_of(live, "triaged") == 1


async def test_a_failed_turn_is_not_remembered_so_the_resend_works(live: Driver) -> None:
    number, root = await new_case(live)
    bot = live.bot.app[K.BOT]
    real = bot._ctx
    calls = {"n": 0}

    async def broken_once(activity, io):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("database went away")
        return await real(activity, io)

    bot._ctx = broken_once
    message = channel_message(f"case {number}", live.user("Lena Lead"), service_url=live.emu.url,
                              team=live.team, channel_id=live.team.safeguarding_channel_id)
    status, _ = await live.post(message)
    assert status in (200, 201)
    sorry = await live.answer_after(0, message["id"])
    assert "nothing was changed" in sorry.body["text"]
    status, _ = await live.post(message)  # Teams' re-send is handled this time
    await live.emu.wait_for(lambda: len([c for c in live.emu.calls if c.kind == "reply"
                                         and c.reply_to_id == message["id"]]) == 2)
    answers = [c for c in live.emu.calls if c.kind == "reply" and c.reply_to_id == message["id"]]
    assert "attachments" in answers[1].body  # the case card this time


BAD_BODIES = [
    ("oversized", "application/json", json.dumps({"type": "message", "text": "x" * 400_000}),
     413),
    ("wrong content type", "text/plain", "case 1", 415),
    ("form post", "application/x-www-form-urlencoded", "type=message", 415),
    ("malformed JSON", "application/json", '{"type": "message", ', 400),
    ("not UTF-8", "application/json", b"\xff\xfe{", 400),
    ("a JSON list", "application/json", "[1, 2]", 400),
    ("JSON null", "application/json", "null", 400),
]


@pytest.mark.parametrize("path", ["/api/messages", "/api/incidents"])
@pytest.mark.parametrize("name,content_type,body,expected", BAD_BODIES,
                         ids=[b[0] for b in BAD_BODIES])
async def test_bad_bodies_get_a_clear_4xx(live: Driver, path: str, name: str, content_type: str,
                                          body: str | bytes, expected: int) -> None:
    headers = {"Content-Type": content_type, "Authorization": f"Bearer {API_KEY}"}
    async with live.session.post(live.bot.url + path, data=body, headers=headers) as r:
        text = await r.text()
    assert r.status == expected, (path, name, r.status, text)
    assert "Traceback" not in text and "File \"" not in text
    assert json.loads(text)  # a JSON answer a caller can read


@pytest.mark.parametrize("activity", [
    {"type": "message"},
    {"type": "message", "serviceUrl": "http://x", "conversation": "c1", "from": {"id": "u"}},
    {"type": "message", "serviceUrl": 7, "conversation": {"id": "c1"}, "from": {"id": "u"}},
    {"type": "", "serviceUrl": "http://x", "conversation": {"id": "c1"}, "from": {"id": "u"}},
    {"type": ["message"], "serviceUrl": "http://x"},
], ids=["no ids", "conversation not an object", "service url a number", "empty type",
        "type a list"])
async def test_activities_missing_what_the_bot_needs_are_400(live: Driver,
                                                              activity: dict[str, Any]) -> None:
    status, body = await live.post(activity)
    assert status == 400, body
    assert await case_events_of(live, "triaged") == 0


async def test_a_click_is_answered_at_once_while_the_connector_is_slow(live: Driver) -> None:
    number, root = await new_case(live)
    await settled(live.bot.services.engine)
    live.emu.delay = 3.0  # every connector call now takes 3 s
    t0 = time.monotonic()
    status, body = await live.click("triage", {"case": number, "version": 1,
                                               "level": "case_review"}, "Lena Lead",
                                    reply_to=root)
    answered = time.monotonic() - t0
    assert status == 200 and "Triaged" in json.dumps(body)
    assert answered < 1.0, f"the click waited {answered:.2f}s for the connector"
    live.emu.delay = 0.0
    await settled(live.bot.services.engine)
    assert len(live.emu.updates(root)) == 1  # the thread's card caught up afterwards


async def test_a_slow_click_gets_a_holding_answer_within_five_seconds(live: Driver) -> None:
    number, root = await new_case(live)
    service = live.bot.services.service
    real = service.triage

    async def slow_triage(*args, **kwargs):  # type: ignore[no-untyped-def]
        await asyncio.sleep(6.0)  # e.g. the database is stalled
        return await real(*args, **kwargs)

    service.triage = slow_triage
    t0 = time.monotonic()
    status, body = await live.post(invoke(live, "triage", {"case": number, "version": 1,
                                                           "level": "case_review"}, root,
                                          activity_id=f"f:{uuid.uuid4()}"))
    answered = time.monotonic() - t0
    assert status == 200 and answered < 5.0, answered
    assert "Still working" in body["value"]
    await live.emu.wait_for(lambda: live.emu.updates(root), timeout=10,
                            message="the card update after the slow click")
    assert await case_events_of(live, "triaged") == 1  # the change was made, once
    async with live.bot.services.engine.connect() as conn:
        updates = (await conn.execute(select(func.count()).select_from(outbox).where(
            outbox.c.kind == "card_update"))).scalar_one()
    assert updates >= 1

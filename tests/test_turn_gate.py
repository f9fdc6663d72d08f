"""The turn's own checks, over real HTTP: each card verb's and command's permission is read from
its table and checked once before its handler runs; our own Activity refuses shapes Teams never
sends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select

from storage.tables import case_events
from teams_bot.http import keys as K
from teams_bot.turns.actions.core import ActionResult, CardAction
from teams_bot.turns.activity import parse
from teams_bot.turns.context import Ctx
from tests.conftest import Database, bot_settings
from tests.support.emulator import ConnectorEmulator
from tests.support.harness import Driver
from tests.support.reliability import incident, intake, live_driver

GOOD = {"type": "message", "serviceUrl": "https://smba.example/", "id": "1", "text": "help",
        "conversation": {"id": "a:1"}, "from": {"id": "29:u"}}


@pytest.fixture
async def live(database: Database, emulator: ConnectorEmulator) -> AsyncIterator[Driver]:
    async with live_driver(bot_settings(database), emulator, database.schema) as driver:
        await driver.setup_team("Lena Lead")
        yield driver


@pytest.mark.e2e
async def test_a_verbs_permission_is_checked_before_its_handler_runs(live: Driver) -> None:
    ran: list[str] = []

    async def spy(ctx: Ctx, a: CardAction) -> ActionResult:
        ran.append(ctx.actor.name)
        return ActionResult(None, "ran")

    live.bot.app[K.BOT].verbs["spy"] = ("close", spy)  # a verb that needs the right to close
    root = (await live.thread_of_case(await _case(live))).activity_id
    status, body = await live.click("spy", {"case": 1}, "Nora Norole", reply_to=root)
    assert status == 200 and "close" in str(body["value"]).lower() and ran == []
    status, body = await live.click("spy", {"case": 1}, "Lena Lead", reply_to=root)
    assert body["value"] == "ran" and ran == ["Lena Lead"]


@pytest.mark.e2e
async def test_a_commands_permission_is_checked_before_its_handler_runs(live: Driver) -> None:
    events = await _refusals(live)
    answer = await live.dm("close case 1 published https://example.org/r", "Nora Norole")
    assert "can close cases" in answer.body["text"]
    assert await _refusals(live) == events + 1  # refused once, and on record


async def _refusals(live: Driver) -> int:
    async with live.bot.services.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(case_events).where(
            case_events.c.kind == "permission_denied"))).scalar_one())


async def _case(live: Driver) -> int:
    status, body = await intake(live.session, live.bot.url, incident(1, steis=True))
    assert status == 201, body
    return int(body["case_number"])


@pytest.mark.parametrize("change", [
    {"type": 7}, {"type": ""}, {"serviceUrl": "ftp://x"}, {"conversation": {"id": 5}},
    {"conversation": []}, {"from": "me"}, {"text": 42}, {"id": ["1"]}, {"name": {}},
    {"entities": {"type": "mention"}}, {"entities": ["x"]}, {"membersAdded": "bot"},
    {"channelData": {"team": "t"}}, {"channelData": []},
], ids=str)
def test_shapes_teams_never_sends_are_refused(change: dict[str, Any]) -> None:
    assert parse(GOOD) is not None
    assert parse({**GOOD, **change}) is None


def test_the_activity_reads_what_the_bot_uses() -> None:
    a = parse({**GOOD, "from": {"id": "29:u", "name": "Ann", "aadObjectId": "aad"},
               "channelData": {"tenant": {"id": "t1"}, "team": {"id": "19:team"},
                               "channel": {"id": "19:chan"}},
               "conversation": {"id": "a:1", "conversationType": "channel", "tenantId": "t2"}})
    assert a is not None
    assert (a.sender.name, a.sender.aad_object_id, a.tenant_id, a.channel_id) == \
        ("Ann", "aad", "t1", "19:chan")
    assert a.conversation.conversation_type == "channel" and a.team["id"] == "19:team"

"""Races over real HTTP, on SQLite and PostgreSQL: two people deciding on one case at the same
moment (one wins, the other is told what changed), and the same StEIS number posted several
times at once (one case)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from storage.tables import case_events, cases, outbox
from tests.conftest import Database, bot_settings
from tests.support.emulator import ConnectorEmulator
from tests.support.harness import Driver
from tests.support.reliability import incident, intake, live_driver, settled

pytestmark = pytest.mark.e2e


@pytest.fixture
async def live(database: Database, emulator: ConnectorEmulator) -> AsyncIterator[Driver]:
    async with live_driver(bot_settings(database), emulator, database.schema) as driver:
        await driver.setup_team("Lena Lead")
        answer = await driver.say(
            "role designated lead <at>Dev Designated</at> for Devon", "Lena Lead",
                                  mentions=("Dev Designated",))
        assert "is now designated lead" in answer.body["text"]
        yield driver


async def count(teams: Driver, table, *where) -> int:  # type: ignore[no-untyped-def]
    async with teams.bot.services.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table)
                                       .where(*where))).scalar_one())


async def test_two_people_deciding_at_once_one_wins_the_other_is_told(live: Driver) -> None:
    numbers = []
    for i in range(4):
        status, body = await intake(live.session, live.bot.url, incident(i, steis=True))
        assert status == 201
        numbers.append(int(body["case_number"]))
    for number in numbers:
        root = (await live.thread_of_case(number)).activity_id
        path1 = live.click("route_path1", {"case": number, "version": 1,
                                           "level": "case_review"}, "Lena Lead", reply_to=root)
        path2 = live.click("route_path2", {"case": number, "version": 1,
                                           "level": "case_review"}, "Dev Designated",
                           reply_to=root)
        (s1, b1), (s2, b2) = await asyncio.gather(path1, path2)
        assert s1 == s2 == 200
        texts = [json.dumps(b1["value"]), json.dumps(b2["value"])]
        won = [t for t in texts if f"Case {number} is now on" in t]
        lost = [t for t in texts if "has changed since that card was sent" in t]
        assert len(won) == 1 and len(lost) == 1, texts
        winner = "Lena Lead" if "Path 1" in won[0].split("is now on")[1][:20] else "Dev Designated"
        assert f"route decided by {winner}" in lost[0]  # what changed, and who did it
        assert await count(live, case_events, case_events.c.case_number == number,
                           case_events.c.kind == "route_decided") == 1
    await settled(live.bot.services.engine)


async def test_a_double_click_racing_itself_is_recorded_once(live: Driver) -> None:
    status, body = await intake(live.session, live.bot.url, incident(1, steis=True))
    number = int(body["case_number"])
    root = (await live.thread_of_case(number)).activity_id
    clicks = [live.click("triage", {"case": number, "version": 1, "level": "case_review"},
                         "Lena Lead", reply_to=root) for _ in range(3)]
    answers = [json.dumps(b["value"]) for _s, b in await asyncio.gather(*clicks)]
    assert sum("triaged" in a and "already recorded" not in a for a in answers) == 1, answers
    assert sum("already recorded" in a for a in answers) == 2
    assert await count(live, case_events, case_events.c.kind == "triaged") == 1


async def test_the_same_steis_number_posted_at_once_is_one_case(live: Driver) -> None:
    body = incident(7, steis=True)
    answers = await asyncio.gather(*(intake(live.session, live.bot.url, body)
                                     for _ in range(6)))
    statuses = sorted(s for s, _ in answers)
    assert statuses == [200, 200, 200, 200, 200, 201], answers
    assert len({b["case_number"] for _, b in answers}) == 1
    assert await count(live, cases) == 1
    await settled(live.bot.services.engine)
    assert await count(live, outbox, outbox.c.kind == "new_thread") == 1
    assert len(live.emu.threads()) == 1

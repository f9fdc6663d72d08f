"""The red-team world for tests/test_redteam_*.py: one installation with a home team, two ICBs'
cases, leads of each scope, and the attackers of issue 10.

- Ada Admin (TRACKER_ADMINS) sets up the home team's Safeguarding channel (the default).
- Dana Devon: safeguarding lead for NHS Devon ICB (South West).
- Kim Kent: safeguarding lead for NHS Kent and Medway ICB (South East).
- Sol Southeast: regional safeguarding lead for the South East region.
- Nora Norole: nobody; she adds the app to a team of her own ("Nora's Team").
Cases: one in Devon, one in Kent, one in Sussex (South East).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from sqlalchemy import select

from storage.tables import channels
from tests.conftest import Database, bot_settings
from tests.support.emulator import ConnectorEmulator, adaptive_card
from tests.support.harness import Driver, card_text, start_bot
from tests.support.surface_probe import change_counts
from tests.support.teams import User, make_team
from tests.test_foundation_e2e import INCIDENT, intake
from tracker.clock import FixedClock

ADMIN = User("Ada Admin", aad_object_id="00000000-0000-0000-0000-00000000ad01")
SECRETS = {"devon": "Bruising noticed at nursery (Devon)",
           "kent": "Fall at a care home in Medway (Kent)",
           "sussex": "Missed visits by a carer in Hove (Sussex)"}


@dataclass
class RedTeam:
    home: Driver  # the home team, set up by the admin
    nora: Driver  # Nora's own new team, same tenant
    cases: dict[str, int]

    async def snapshot(self) -> tuple[int, ...]:
        return await change_counts(self.home.bot.services.engine)

    async def channel_rows(self) -> dict[str, str]:
        async with self.home.bot.services.engine.connect() as conn:
            return {r.locality: r.channel_id for r in await conn.execute(select(channels))}


async def answer_text(call: Any) -> str:
    card = adaptive_card(call.body)
    return (call.body.get("text") or "") + (card_text(card) if card else "")


async def give(teams: Driver, role: str, who: str, where: str) -> str:
    answer = await teams.say(f"role {role} <at>{who}</at> for {where}", ADMIN.name,
                             mentions=(who,))
    text = str(answer.body["text"])
    assert f"{who} is now" in text, text
    return text


async def new_case(teams: Driver, locality: str, summary: str) -> int:
    status, body = await intake(teams, {**INCIDENT, "locality": locality, "summary": summary})
    assert status == 201, body
    return int(body["case_number"])


@asynccontextmanager
async def red_team(database: Database, clock: FixedClock, emulator: ConnectorEmulator,
                   **settings: Any) -> AsyncIterator[RedTeam]:
    running = await start_bot(bot_settings(database, admins=(ADMIN.aad_object_id,), **settings),
                              clock, schema=database.schema)
    admin = emulator.add_user(ADMIN.name, aad_object_id=ADMIN.aad_object_id)
    other = make_team(app_id=emulator.team.bot.id, tenant_id=emulator.tenant_id,
                      name="Nora's Team")
    try:
        async with aiohttp.ClientSession() as session:
            home = Driver(running, emulator, session, emulator.team)
            home.users[ADMIN.name] = admin
            nora = Driver(running, emulator, session, other, home.users)
            await home.install()
            answer = await home.say("setup", ADMIN.name)
            assert "default safeguarding channel" in answer.body["text"], answer.body
            await give(home, "safeguarding lead", "Dana Devon", "Devon")
            await give(home, "safeguarding lead", "Kim Kent", "Kent and Medway")
            await give(home, "regional safeguarding lead", "Sol Southeast", "South East")
            found = {name: await new_case(home, where, SECRETS[name])
                     for name, where in (("devon", "Devon"), ("kent", "Kent and Medway"),
                                         ("sussex", "Sussex"))}
            await nora.install()
            yield RedTeam(home, nora, found)
    finally:
        await running.stop()

"""The four attackers of issue 10, each trying every registered command and card verb over HTTP:

- a person with no role, in a new team of their own (same tenant);
- a user of another tenant (the bot has MicrosoftAppTenantId set);
- the safeguarding lead of another ICB (Kent, attacking Devon);
- the regional safeguarding lead of another region (South East, attacking Devon, South West).

Each must change nothing (refusals are recorded, nothing else), see none of the Devon case, and
a hidden case must answer exactly like a missing one. The command examples and card payloads
come from tests/test_surfaces.py, so a new command or button is attacked automatically.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import Database
from tests.support.emulator import ConnectorEmulator, adaptive_card
from tests.support.harness import Driver, card_text
from tests.support.redteam import SECRETS, RedTeam, red_team
from tests.support.teams import card_invoke, channel_message, make_team, personal_message
from tests.test_surfaces import NO_CHECK, REGISTRY, VERBS, example, verb_payloads
from tracker.clock import FixedClock

pytestmark = pytest.mark.e2e
MISSING = 99999
LEAKS = (SECRETS["devon"], "Bruising", "nursery")


@pytest.fixture
async def world(database: Database, clock: FixedClock,
                emulator: ConnectorEmulator) -> AsyncIterator[RedTeam]:
    async with red_team(database, clock, emulator, app_tenant_id=emulator.tenant_id) as w:
        yield w


def commands() -> list[tuple[str, str]]:
    out = []
    for cmd in REGISTRY.commands:
        if cmd.name in NO_CHECK:
            continue
        text = example(cmd)
        assert text is not None, cmd.name
        out.append((cmd.name, text))
    return out


async def say(driver: Driver, text: str, who: str, *, personal: bool = False) -> str:
    call = await (driver.dm(text, who) if personal else driver.say(text, who))
    card = adaptive_card(call.body)
    return (call.body.get("text") or "") + (card_text(card) if card else "")


async def click(driver: Driver, data: dict[str, Any], who: str) -> str:
    status, body = await driver.click(str(data["verb"]), data, who, reply_to="root")
    assert status < 500, (data["verb"], status)
    if status != 200:
        return f"HTTP {status}"
    value = body.get("value") if isinstance(body, dict) else body
    return card_text(value) if isinstance(value, dict) else str(value)


class Walk:
    def __init__(self, world: RedTeam) -> None:
        self.world = world
        self.problems: list[str] = []

    async def checked(self, label: str, run: Any) -> str:
        before = await self.world.snapshot()
        answer: str = await run()
        if await self.world.snapshot() != before:
            self.problems.append(f"{label}: changed something")
        if any(leak in answer for leak in LEAKS):
            self.problems.append(f"{label}: showed the Devon case")
        return answer

    async def attack(self, driver: Driver, who: str, *, case_only: bool) -> None:
        devon = self.world.cases["devon"]
        for name, text in commands():
            if case_only and "{n}" not in text:
                continue
            for personal in (False, True):
                label = f"`{name}` by {who}{' 1:1' if personal else ''}"
                hidden = await self.checked(label, lambda t=text, p=personal: say(
                    driver, t.format(n=devon), who, personal=p))
                if "{n}" in text and case_only:
                    missing = await say(driver, text.format(n=MISSING), who, personal=personal)
                    if hidden != missing.replace(str(MISSING), str(devon)):
                        self.problems.append(f"{label}: hidden differs from missing:\n  "
                                             f"{hidden[:160]}\n  {missing[:160]}")
        payloads = verb_payloads("Discussed at the meeting")
        for verb in VERBS:
            if verb in NO_CHECK:
                continue
            data = {**payloads[verb], "case": devon, "version": 1}
            hidden = await self.checked(f"click `{verb}` by {who}",
                                        lambda d=data: click(driver, d, who))
            missing = await click(driver, {**data, "case": MISSING}, who)
            if hidden != missing.replace(str(MISSING), str(devon)):
                self.problems.append(f"click `{verb}` by {who}: hidden differs from missing:\n"
                                     f"  {hidden[:160]}\n  {missing[:160]}")


async def test_a_no_role_person_in_a_new_team_tries_everything(world: RedTeam) -> None:
    walk = Walk(world)
    await walk.attack(world.nora, "Nora Norole", case_only=False)
    assert not walk.problems, "\n".join(walk.problems)


async def test_the_lead_of_another_icb_tries_everything(world: RedTeam) -> None:
    walk = Walk(world)
    await walk.attack(world.home, "Kim Kent", case_only=True)
    for text in ("setup Devon", "move channel for Devon", "setup", "move channel",
                 "role panel member <at>Kim Kent</at> for Devon"):
        await walk.checked(f"`{text}` by Kim Kent", lambda t=text: say(
            world.nora, t, "Kim Kent"))
    assert not walk.problems, "\n".join(walk.problems)


async def test_the_regional_lead_of_another_region_tries_everything(world: RedTeam) -> None:
    walk = Walk(world)
    await walk.attack(world.home, "Sol Southeast", case_only=True)
    for text in ("setup Devon", "move channel for Devon",
                 "role panel member <at>Sol Southeast</at> for Devon",
                 "role regional lead <at>Sol Southeast</at> for South West"):
        await walk.checked(f"`{text}` by Sol Southeast", lambda t=text: say(
            world.nora, t, "Sol Southeast"))
    assert not walk.problems, "\n".join(walk.problems)


async def test_a_user_of_another_tenant_gets_403_for_everything(world: RedTeam) -> None:
    home = world.home
    foreign = make_team(app_id=home.team.bot.id, name="Another Org")
    mallory = home.emu.add_user("Mallory Foreign")
    devon = world.cases["devon"]
    before = await world.snapshot()
    calls = len(home.emu.calls)
    for name, text in commands():
        for act in (channel_message(text.format(n=devon), mallory, service_url=home.emu.url,
                                    team=foreign, channel_id=foreign.safeguarding_channel_id),
                    personal_message(text.format(n=devon), mallory, service_url=home.emu.url,
                                     team=foreign)):
            status, _ = await home.post(act)
            assert status == 403, (name, status)
    payloads = verb_payloads("Discussed at the meeting")
    for verb in VERBS:
        act = card_invoke(verb, {**payloads[verb], "case": devon, "version": 1}, mallory,
                          conversation=foreign.safeguarding_channel_id, reply_to_id="1",
                          service_url=home.emu.url, team=foreign)
        status, _ = await home.post(act)
        assert status == 403, (verb, status)
    assert await world.snapshot() == before
    assert len(home.emu.calls) == calls  # nothing was said to anyone

"""The bot with Microsoft's own Teams-like client: Microsoft 365 Agents Playground (npm, pinned in
tools/playground), driven through the HTTP API its web page uses. This is `make playground`
without the browser, so the real Microsoft client stays covered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from teams_bot.http import keys as K
from tests.conftest import API_KEY
from tests.support.harness import RunningBot, card_title, free_port
from tests.support.playground import BotMessage, Playground, missing, start_playground

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.node,
    pytest.mark.skipif(bool(missing()), reason=missing() or "-"),
]

INCIDENT = {"steis_number": "2026/12345", "locality": "south-yorkshire",
            "incident_date": "2026-11-20",
            "reported_by": "StEIS notification to the locality inbox",
            "summary": "Serious incident logged on StEIS by a provider. See the StEIS record."}


@pytest.fixture
async def playground(bot: RunningBot, tmp_path: Path) -> AsyncIterator[Playground]:
    async with aiohttp.ClientSession() as session:
        pg = await start_playground(bot.url, free_port(), tmp_path, session)
        try:
            await pg.connect()
            yield pg
        finally:
            await pg.close()


async def test_help_in_personal_chat_lists_every_command(playground: Playground,
                                                         bot: RunningBot) -> None:
    chat = playground.personal_chat
    await playground.open(chat)
    await playground.say(chat, "help")

    reply = await playground.wait_for(
        lambda m: m.conversation == chat and "commands" in m.text.lower(), "the help reply")
    for command in bot.app[K.BOT].registry.commands:
        assert f"{command.usage}: {command.help}" in reply.text, command.name
    assert "&lt;" not in reply.text and "&gt;" not in reply.text  # no raw tags reached it
    assert "No patient identifiers" in reply.text


async def test_setup_in_a_channel_then_an_incident_opens_a_thread(playground: Playground,
                                                                   bot: RunningBot) -> None:
    general = playground.channel("General")
    await playground.open(general)  # what opening General in the page does: adds the bot
    welcome = await playground.wait_for(lambda m: m.conversation == general, "the welcome post")
    assert "setup" in welcome.text

    post = await playground.say(general, "setup", mention_bot=True)
    confirmation = await playground.wait_for(
        lambda m: m.conversation == post, "the answer to setup in the thread of the post")
    assert "This channel is now the default safeguarding channel" in confirmation.text
    assert playground.config["currentUser"]["name"] in confirmation.text  # first lead

    # A channel post that doesn't mention the bot is not for the bot (as in Teams).
    unaddressed = await playground.say(general, "setup")
    # The sample incident from the README, through the intake API.
    async with playground.session.post(f"{bot.url}/api/incidents", json=INCIDENT,
                                       headers={"Authorization": f"Bearer {API_KEY}"}) as r:
        assert r.status == 201, await r.text()
        number = (await r.json())["case_number"]

    def case_thread(m: BotMessage) -> bool:  # a new post in General whose root is the case card
        return (m.conversation == general and bool(m.cards)
                and card_title(m.cards[0]).startswith(f"Case {number}"))

    thread = await playground.wait_for(case_thread, f"the thread of case {number}")
    assert "Awaiting triage" in str(thread.cards[0])
    assert not [m for m in playground.received if m.conversation == unaddressed]

"""With an app id configured, only activities signed by the Bot Framework for this bot get in.

Tokens are minted here with an RSA key the test controls and served from a local OpenID
metadata document (TRACKER_OPENID_METADATA_URL), so nothing reaches Microsoft.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from storage.inbound import inbound_key
from storage.tables import inbound_activities
from teams_bot.http import keys as K
from tests.conftest import Database, bot_settings
from tests.support.emulator import ConnectorEmulator
from tests.support.harness import RunningBot, start_bot
from tests.support.openid import KeyServer, bad_tokens
from tests.support.teams import installation_update, make_team, personal_message, post_activity
from tracker.clock import FixedClock

pytestmark = pytest.mark.e2e

APP_ID = "6a1c9a52-7d0e-4c0e-9b1e-2f0c1d9e8a11"
TENANT = "0b7e3c55-2a8f-4c1d-8e6f-3a9b5c7d1e22"


@pytest.fixture
async def signed_bot(database: Database, clock: FixedClock,
                     keys: KeyServer) -> AsyncIterator[RunningBot]:
    settings = bot_settings(database, app_id=APP_ID, app_password="test-only-password",
                            app_tenant_id=TENANT, openid_metadata_url=keys.metadata_url)
    running = await start_bot(settings, clock, schema=database.schema)
    try:
        yield running
    finally:
        await running.stop()


async def seen(bot: RunningBot, act: dict[str, Any]) -> bool:
    """Did the bot get as far as handling the activity (it records every one it handles)?"""
    key = inbound_key(act["conversation"]["id"], act["id"])
    async with bot.services.engine.connect() as conn:
        q = select(func.count()).select_from(inbound_activities) \
            .where(inbound_activities.c.activity_id == key)
        return bool((await conn.execute(q)).scalar_one())


def harmless(emu: ConnectorEmulator) -> dict[str, Any]:
    """An activity the bot handles without answering (answering would need a real AAD token)."""
    return installation_update("add", service_url=emu.url,
                               team=make_team(app_id=APP_ID, tenant_id=TENANT),
                               scope="personal")


async def test_unsigned_activity_gets_401(signed_bot: RunningBot, emulator: ConnectorEmulator,
                                          keys: KeyServer) -> None:
    team = make_team(app_id=APP_ID, tenant_id=TENANT)
    act = personal_message("cases", emulator.add_user("Una Signed"), service_url=emulator.url,
                           team=team)
    async with aiohttp.ClientSession() as session:
        status, body = await post_activity(session, signed_bot.url, act)
    assert status == 401 and body == {"error": "Unauthorized."}
    assert not await seen(signed_bot, act)
    assert emulator.calls == []  # nothing was said to anyone


async def test_tokens_signed_wrongly_get_401_and_a_good_one_is_accepted(
    signed_bot: RunningBot, emulator: ConnectorEmulator, keys: KeyServer
) -> None:
    url = emulator.url
    bad = bad_tokens(keys, APP_ID, url)
    async with aiohttp.ClientSession() as session:
        for why, token in bad.items():
            act = harmless(emulator)
            status, body = await post_activity(session, signed_bot.url, act, token=token)
            assert status == 401, (why, status, body)
            assert not await seen(signed_bot, act), why
        act = harmless(emulator)
        good = keys.token(audience=APP_ID, service_url=url)
        status, body = await post_activity(session, signed_bot.url, act, token=good)
    assert 200 <= status < 300, (status, body)
    assert await seen(signed_bot, act)
    assert keys.fetches >= 2  # the metadata and the keys came from the local server


async def test_the_bot_runs_on_the_edge_this_test_is_for(signed_bot: RunningBot,
                                                          sdk: str) -> None:
    edge = signed_bot.app[K.EDGE]
    assert edge.name == sdk
    assert signed_bot.settings.sdk == sdk


async def test_signing_keys_out_of_reach_get_503_and_nothing_is_handled(
        database: Database, clock: FixedClock, emulator: ConnectorEmulator) -> None:
    """Our fault, not the sender's: Teams retries a 503, and the log names the cause."""
    keys = KeyServer().start()
    settings = bot_settings(database, app_id=APP_ID, app_password="test-only-password",
                            app_tenant_id=TENANT, openid_metadata_url=keys.metadata_url)
    token = keys.token(audience=APP_ID, service_url=emulator.url)
    keys.stop()
    running = await start_bot(settings, clock, schema=database.schema)
    try:
        act = harmless(emulator)
        async with aiohttp.ClientSession() as session:
            status, body = await post_activity(session, running.url, act, token=token)
        assert status == 503, (status, body)
        assert not await seen(running, act)
    finally:
        await running.stop()


def test_authentication_reads_the_same_fields_as_from_the_full_deserialisation() -> None:
    """The botbuilder edge gives its authentication a light activity: the four fields it
    reads must equal msrest's full deserialisation, skill calls from the Emulator included."""
    from botbuilder.schema import Activity

    from teams_bot.botframework.adapter import for_authentication
    from tests.support.teams import User, card_invoke, channel_message

    team, user = make_team(), User("Ann Example")
    relates = {"activityId": "1", "channelId": "emulator", "serviceUrl": "http://y",
               "conversation": {"id": "c"}, "bot": {"id": "b"}}
    message = personal_message("hi", user, service_url="http://x", team=team)
    for act in (message, channel_message("hi", user, service_url="http://x", team=team),
                card_invoke("triage", {"case": 1}, user, conversation="c", reply_to_id="1",
                            service_url="http://x", team=team),
                installation_update("add", service_url="http://x", team=team),
                {**message, "relatesTo": relates},
                {**message, "channelId": "emulator", "recipient": {"id": "b", "role": "skill"}}):
        full, light = Activity().deserialize(act), for_authentication(act)
        assert (light.channel_id, light.service_url) == (full.channel_id, full.service_url)
        assert getattr(light.recipient, "role", None) == getattr(full.recipient, "role", None)
        assert (light.relates_to and light.relates_to.serialize()) == \
            (full.relates_to and full.relates_to.serialize())

"""Both SDK edges on their own (teams_bot/edge.py's port), the same cases for each: tokens minted
by a local key server (tests/support/openid.py). The edge is built the way the app builds it
(teams_bot/http/edges.py, by TRACKER_SDK). tests/test_inbound_auth.py runs the same tokens
through the whole bot; tests/test_agents_edge.py has what only the Agents SDK edge does.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from teams_bot.edge import Edge, KeysUnavailable, Unauthorized
from teams_bot.http.edges import make_edge
from teams_bot.settings import Settings
from tests.support.openid import KeyServer, bad_tokens, entra_issuer

APP_ID = "6a1c9a52-7d0e-4c0e-9b1e-2f0c1d9e8a11"
TENANT = "0b7e3c55-2a8f-4c1d-8e6f-3a9b5c7d1e22"
SERVICE = "https://smba.trafficmanager.net/emea/"
EDGES = ["botbuilder", "agents"]


def activity(service_url: str = SERVICE, channel: str = "msteams") -> dict[str, Any]:
    return {"type": "message", "id": "1", "channelId": channel, "serviceUrl": service_url,
            "conversation": {"id": "a:1"}, "from": {"id": "29:u"}, "recipient": {"id": "28:b"},
            "text": "cases"}


def signed_settings(keys: KeyServer, sdk: str) -> Settings:
    return Settings(app_id=APP_ID, app_password="test-only-password", app_tenant_id=TENANT,
                    openid_metadata_url=keys.metadata_url, sdk=sdk)


def bearer(token: str) -> str:
    return f"Bearer {token}"


@pytest.fixture(params=EDGES)
async def edge(request: pytest.FixtureRequest, keys: KeyServer) -> AsyncIterator[Edge]:
    e = make_edge(signed_settings(keys, request.param))
    assert e.name == request.param
    yield e
    await e.close()


async def test_a_good_token_passes_and_keys_come_from_the_metadata(
        edge: Edge, keys: KeyServer) -> None:
    await edge.authenticate(bearer(keys.token(audience=APP_ID, service_url=SERVICE)), activity())
    fetched = keys.fetches
    assert fetched >= 2  # the metadata and the keys, from the local server
    for _ in range(5):
        await edge.authenticate(bearer(keys.token(audience=APP_ID, service_url=SERVICE)),
                                activity())
    assert keys.fetches == fetched  # cached


async def test_every_kind_of_bad_token_is_unauthorized(edge: Edge,
                                                       keys: KeyServer) -> None:
    for why, token in bad_tokens(keys, APP_ID, SERVICE).items():
        with pytest.raises(Unauthorized):
            await edge.authenticate(bearer(token), activity())
            pytest.fail(why)
    for header in ("", "Bearer", "Bearer ", "Basic abc", bearer(""), "bearer",
                   keys.token(audience=APP_ID, service_url=SERVICE)):  # the last: no scheme
        with pytest.raises(Unauthorized):
            await edge.authenticate(header, activity())
            pytest.fail(repr(header[:12]))
    # and the good one still passes afterwards (nothing above poisoned the cache)
    await edge.authenticate(bearer(keys.token(audience=APP_ID, service_url=SERVICE)), activity())


async def test_the_issuer_is_checked(edge: Edge, keys: KeyServer) -> None:
    ok = keys.token(audience=APP_ID, service_url=SERVICE, issuer="https://api.botframework.com")
    await edge.authenticate(bearer(ok), activity())
    for issuer in ("https://api.botframework.us", "https://sts.windows.net/other/",
                   entra_issuer("11111111-2222-3333-4444-555555555555"), ""):
        token = keys.token(audience=APP_ID, service_url=SERVICE, issuer=issuer)
        with pytest.raises(Unauthorized):
            await edge.authenticate(bearer(token), activity())
            pytest.fail(issuer)


@pytest.mark.parametrize("sdk", EDGES)
async def test_a_key_not_endorsed_for_the_channel_is_refused(sdk: str) -> None:
    server = KeyServer(endorsements=("webchat",)).start()
    try:
        e = make_edge(signed_settings(server, sdk))
        token = bearer(server.token(audience=APP_ID, service_url=SERVICE))
        with pytest.raises(Unauthorized):
            await e.authenticate(token, activity(channel="msteams"))
        await e.authenticate(token, activity(channel="webchat"))
    finally:
        server.stop()


@pytest.mark.parametrize("sdk", EDGES)
async def test_key_server_down_is_keys_unavailable_not_unauthorized(keys: KeyServer,
                                                                     sdk: str) -> None:
    e = make_edge(signed_settings(keys, sdk))
    token = bearer(keys.token(audience=APP_ID, service_url=SERVICE))
    keys.stop()
    with pytest.raises(KeysUnavailable):
        await e.authenticate(token, activity())
    # garbage is still the sender's problem, even with the keys unreachable
    with pytest.raises(Unauthorized):
        await e.authenticate(bearer("not-a-token"), activity())


async def test_cached_keys_outlive_the_key_server(edge: Edge, keys: KeyServer) -> None:
    await edge.authenticate(bearer(keys.token(audience=APP_ID, service_url=SERVICE)), activity())
    keys.stop()
    await edge.authenticate(bearer(keys.token(audience=APP_ID, service_url=SERVICE)), activity())
    with pytest.raises(Unauthorized):  # an unknown key id within the refresh gap: no refetch
        await edge.authenticate(bearer(keys.token(audience=APP_ID, service_url=SERVICE,
                                                  kid="other")), activity())


async def test_unknown_key_ids_do_not_make_us_hammer_the_key_server(
        edge: Edge, keys: KeyServer) -> None:
    await edge.authenticate(bearer(keys.token(audience=APP_ID, service_url=SERVICE)), activity())
    for i in range(20):
        with pytest.raises(Unauthorized):
            await edge.authenticate(bearer(keys.token(audience=APP_ID, service_url=SERVICE,
                                                      kid=f"random-{i}")), activity())
    assert keys.fetches == 2


@pytest.mark.parametrize("sdk", [
    pytest.param("botbuilder", marks=pytest.mark.xfail(
        strict=True, reason="botbuilder fetches keys with blocking requests on the event loop")),
    "agents"])
async def test_a_slow_key_server_does_not_block_the_event_loop(sdk: str) -> None:
    server = KeyServer(delay=0.3).start()
    try:
        e = make_edge(signed_settings(server, sdk))
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1
        task = asyncio.create_task(ticker())
        started = time.monotonic()
        await e.authenticate(bearer(server.token(audience=APP_ID, service_url=SERVICE)),
                             activity())
        took = time.monotonic() - started
        task.cancel()
        assert took >= 0.6  # two slow fetches: metadata and keys
        assert ticks >= took / 0.01 * 0.5, (ticks, took)  # the loop kept running meanwhile
    finally:
        server.stop()


@pytest.mark.parametrize("sdk", EDGES)
async def test_concurrent_first_requests_fetch_the_keys_once(keys: KeyServer, sdk: str) -> None:
    e = make_edge(signed_settings(keys, sdk))
    tokens = [bearer(keys.token(audience=APP_ID, service_url=SERVICE)) for _ in range(10)]
    await asyncio.gather(*(e.authenticate(t, activity()) for t in tokens))
    assert keys.fetches == 2


@pytest.mark.parametrize("sdk", EDGES)
async def test_local_mode_is_anonymous_and_gets_no_token(sdk: str) -> None:
    e = make_edge(Settings(sdk=sdk))
    for header in ("", "Bearer not-a-token", "Basic abc"):
        await e.authenticate(header, activity())
    assert await e.token(SERVICE) is None
    await e.close()


def _loaded_after(module: str) -> set[str]:
    code = (f"import sys, {module}; print(' '.join(sorted({{m.split('.')[0] for m in "
            f"sys.modules}})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return set(out.stdout.split())


def test_each_edge_imports_only_its_own_sdk() -> None:
    agents = _loaded_after("teams_bot.agents")
    assert "microsoft_agents" in agents and not agents & {"botbuilder", "botframework", "msrest"}
    botbuilder = _loaded_after("teams_bot.botframework")
    assert "botbuilder" in botbuilder and "microsoft_agents" not in botbuilder
    app = _loaded_after("teams_bot.http.app")  # the app names neither until TRACKER_SDK does
    assert not app & {"botbuilder", "botframework", "msrest", "microsoft_agents"}

"""The Agents SDK edge (teams_bot/agents/) on its own: tokens minted by a local key server
(tests/support/openid.py), checked by the SDK's JwtTokenValidator with our key lookup.

The cases both edges share are in tests/test_edges.py; these are the Agents SDK edge's own.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from microsoft_agents.hosting.core import ChannelAdapter

from teams_bot.agents import AgentsEdge
from teams_bot.agents.config import BOT_CONNECTOR_SCOPE, auth_config
from teams_bot.agents.tokens import ConnectorTokens
from teams_bot.edge import Unauthorized
from teams_bot.settings import Settings
from tests.support.openid import KeyServer

APP_ID = "6a1c9a52-7d0e-4c0e-9b1e-2f0c1d9e8a11"
TENANT = "0b7e3c55-2a8f-4c1d-8e6f-3a9b5c7d1e22"
SERVICE = "https://smba.trafficmanager.net/emea/"


def activity(service_url: str = SERVICE, channel: str = "msteams") -> dict[str, Any]:
    return {"type": "message", "id": "1", "channelId": channel, "serviceUrl": service_url,
            "conversation": {"id": "a:1"}, "text": "cases"}


def signed_settings(keys: KeyServer, **extra: Any) -> Settings:
    return Settings(app_id=APP_ID, app_password="test-only-password", app_tenant_id=TENANT,
                    openid_metadata_url=keys.metadata_url).with_(**extra)


class CountingCredential:
    """Stands in for Entra ID (which cannot run here): hands out numbered tokens."""

    def __init__(self, lifetime: float = 3600) -> None:
        self.lifetime, self.calls, self.threads = lifetime, 0, set[int]()

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        assert scopes == (BOT_CONNECTOR_SCOPE,)
        self.calls += 1
        self.threads.add(threading.get_ident())
        return AccessToken(f"token-{self.calls}", int(time.time() + self.lifetime))


@pytest.fixture
async def edge(keys: KeyServer) -> AsyncIterator[AgentsEdge]:
    e = AgentsEdge(signed_settings(keys), credential=CountingCredential())
    yield e
    await e.close()


def bearer(token: str) -> str:
    return f"Bearer {token}"


async def test_the_issuer_check_is_switched_on(edge: AgentsEdge, keys: KeyServer) -> None:
    assert edge.config.VALIDATE_ISSUER  # the SDK leaves it off unless asked
    token = keys.token(audience=APP_ID, service_url=SERVICE, issuer="https://login.example.test")
    with pytest.raises(Unauthorized):
        await edge.authenticate(bearer(token), activity())


async def test_local_mode_is_anonymous_and_reads_no_header() -> None:
    e = AgentsEdge(Settings())
    assert e.config.ANONYMOUS_ALLOWED
    for header in ("", "Bearer not-a-token", "Basic abc"):
        await e.authenticate(header, activity())
    assert await e.token(SERVICE) is None
    assert e.tokens is None


async def test_outbound_tokens_are_cached_and_fetched_off_the_loop(keys: KeyServer) -> None:
    cred = CountingCredential()
    e = AgentsEdge(signed_settings(keys), credential=cred)
    got = {await e.token(SERVICE), await e.token("https://smba.trafficmanager.net/amer/")}
    assert got == {"token-1"} and cred.calls == 1
    assert threading.get_ident() not in cred.threads

    short = CountingCredential(lifetime=120)  # expires within the 5 minute margin
    e2 = AgentsEdge(signed_settings(keys), credential=short)
    assert [await e2.token(SERVICE), await e2.token(SERVICE)] == ["token-1", "token-2"]


async def test_concurrent_token_requests_share_one_acquisition(keys: KeyServer) -> None:
    cred = CountingCredential()
    e = AgentsEdge(signed_settings(keys), credential=cred)
    got = await asyncio.gather(*(e.token(SERVICE) for _ in range(10)))
    assert set(got) == {"token-1"} and cred.calls == 1


def test_settings_become_the_sdk_configuration() -> None:
    single = auth_config(Settings(app_id=APP_ID, app_password="pw", app_tenant_id=TENANT))
    assert (single.CLIENT_ID, single.CLIENT_SECRET, single.TENANT_ID) == (APP_ID, "pw", TENANT)
    assert single.AUTHORITY == f"https://login.microsoftonline.com/{TENANT}"
    assert single.VALIDATE_ISSUER and not single.ANONYMOUS_ALLOWED
    assert "https://api.botframework.com" in single.ISSUERS
    assert single.SCOPES == ["https://api.botframework.com/.default"]
    multi = auth_config(Settings(app_id=APP_ID, app_password="pw", app_type="MultiTenant"))
    assert multi.AUTHORITY == "https://login.microsoftonline.com/botframework.com"
    msi = auth_config(Settings(app_id=APP_ID, app_type="UserAssignedMSI", app_tenant_id=TENANT))
    assert msi.AUTH_TYPE.value == "UserManagedIdentity" and msi.CLIENT_SECRET is None


async def test_the_sdk_turn_pipeline_and_its_on_turn_error_are_never_built(
        edge: AgentsEdge, keys: KeyServer) -> None:
    """The SDK's default on_turn_error sends the exception text to the user: it must never
    run. It lives on ChannelAdapter, which this edge never builds."""
    await edge.authenticate(bearer(keys.token(audience=APP_ID, service_url=SERVICE)), activity())
    with pytest.raises(Unauthorized):
        await edge.authenticate(bearer("not-a-token"), activity())
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, ChannelAdapter)]




async def test_a_hung_identity_platform_times_out_and_the_next_send_tries_again() -> None:
    class Hung(CountingCredential):
        async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
            if self.calls == 0:
                self.calls += 1
                await asyncio.sleep(1)
            return await super().get_token(*scopes, **kwargs)

    tokens = ConnectorTokens(Hung(), timeout=0.2)
    with pytest.raises(TimeoutError):
        await tokens.get()
    assert await tokens.get() == "token-2"

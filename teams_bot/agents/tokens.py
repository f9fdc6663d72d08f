"""Outbound: the bearer token our connector sends to the Bot Connector, from the SDK's MsalAuth.

MSAL is blocking (and MsalAuth builds its MSAL client, which fetches the authority's metadata,
on the calling thread), so each acquisition runs whole in a worker thread. The token is
reused until five minutes before it expires.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Protocol

from azure.core.credentials import AccessToken
from microsoft_agents.authentication.msal import MsalAuth

from teams_bot.agents.config import BOT_CONNECTOR_SCOPE, auth_config
from teams_bot.settings import Settings

log = logging.getLogger("sgtracker.auth")

MARGIN = 300.0  # seconds before expiry a token is replaced
TIMEOUT = 30.0  # MSAL sets none: a black-holed network must not hold every send forever


class Credential(Protocol):
    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken: ...


def msal_credential(settings: Settings) -> Credential:
    """Client credentials (secret, or user-assigned managed identity) for our app id:
    single-tenant from login.microsoftonline.com/<tenant>, multi-tenant from botframework.com."""
    return MsalAuth(auth_config(settings)).get_token_credential()


def _acquire(credential: Credential) -> AccessToken:
    """In a worker thread: an event loop of its own for the SDK's async API."""
    return asyncio.run(credential.get_token(BOT_CONNECTOR_SCOPE))


class ConnectorTokens:
    def __init__(self, credential: Credential, timeout: float = TIMEOUT) -> None:
        self.credential, self.timeout = credential, timeout
        self.acquired = 0  # how many times a token was fetched (not served from the cache)
        self._token: AccessToken | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        async with self._lock:
            if self._token is None or self._token.expires_on - time.time() < MARGIN:
                try:
                    self._token = await asyncio.wait_for(
                        asyncio.to_thread(_acquire, self.credential), self.timeout)
                except Exception as e:
                    log.error("could not get a Bot Connector token (%s)", type(e).__name__)
                    raise
                self.acquired += 1
            return self._token.token

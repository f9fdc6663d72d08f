"""The botbuilder 4.17.1 edge: its authentication checks who sent an activity, and its connector
credentials give the token our answers are sent with. Nothing else of botbuilder is used."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import requests
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ChannelAccount, ConversationReference
from botframework.connector.auth import AuthenticationConstants, ClaimsIdentity

from teams_bot.botframework.auth import StrictAuthentication, auth_config
from teams_bot.edge import KeysUnavailable, Unauthorized
from teams_bot.settings import Settings

log = logging.getLogger("sgtracker.botframework")
TOKEN_REUSE = 300.0  # seconds; msal refreshes well before a token expires


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def for_authentication(activity: dict[str, Any]) -> Activity:
    """The activity as botbuilder's authentication reads it: channel id, service URL, the
    recipient's role and relatesTo (a skill call from the Emulator). msrest's deserializer
    walked the whole activity for these four (about 6% of a `case N` turn's CPU)."""
    recipient = activity.get("recipient")
    role = _text(recipient.get("role")) if isinstance(recipient, dict) else None
    relates = activity.get("relatesTo")
    return Activity(
        channel_id=_text(activity.get("channelId")),
        service_url=_text(activity.get("serviceUrl")),
        recipient=ChannelAccount(role=role) if isinstance(recipient, dict) else None,
        relates_to=ConversationReference().deserialize(relates) if relates else None)


class BotFrameworkEdge:
    name = "botbuilder"

    def __init__(self, settings: Settings) -> None:
        self.app_id = settings.app_id
        self.auth: ConfigurationBotFrameworkAuthentication = StrictAuthentication(
            auth_config(settings))
        self._credentials: dict[str, Any] = {}
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = asyncio.Lock()

    async def authenticate(self, auth_header: str, activity: dict[str, Any]) -> None:
        if not self.app_id:
            return  # local mode: anonymous, as the port says; a header, if one came, is not read
        try:
            await self.auth.authenticate_request(for_authentication(activity), auth_header)
        except PermissionError:
            raise Unauthorized() from None
        except requests.RequestException:
            raise KeysUnavailable() from None

    async def _credentials_for(self, service_url: str) -> Any:
        """The connector client's app credentials for a service URL, built once."""
        if service_url not in self._credentials:
            async with self._lock:
                if service_url not in self._credentials:
                    claims = ClaimsIdentity({AuthenticationConstants.AUDIENCE_CLAIM: self.app_id,
                                             AuthenticationConstants.APP_ID_CLAIM: self.app_id},
                                            True)
                    factory = self.auth.create_connector_factory(claims)
                    client = await factory.create(service_url, None)  # type: ignore[arg-type]
                    self._credentials[service_url] = client.config.credentials
                    await client.close()
        return self._credentials[service_url]

    async def token(self, service_url: str) -> str | None:
        if not self.app_id:
            return None  # local mode: no Authorization header
        cached = self._tokens.get(service_url)
        if cached is None or time.monotonic() - cached[1] > TOKEN_REUSE:
            credentials = await self._credentials_for(service_url)
            token = await asyncio.to_thread(credentials.get_access_token)
            cached = (token, time.monotonic())
            self._tokens[service_url] = cached
        return cached[0]

    async def close(self) -> None:
        self._credentials.clear()

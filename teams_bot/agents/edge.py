"""The Agents SDK edge: who sent an activity (JwtTokenValidator) and the token answers carry
(MsalAuth). Every bad token is Unauthorized; failing to fetch keys is KeysUnavailable."""

from __future__ import annotations

import logging
from typing import Any

from microsoft_agents.hosting.core import AgentAuthConfiguration, ClaimsIdentity

from teams_bot.agents.config import auth_config
from teams_bot.agents.keys import KeySet
from teams_bot.agents.tokens import ConnectorTokens, Credential, msal_credential
from teams_bot.agents.validator import ChannelTokenValidator, check_hook
from teams_bot.edge import KeysUnavailable, Unauthorized
from teams_bot.settings import Settings

log = logging.getLogger("sgtracker.auth")


class AgentsEdge:
    name = "agents"

    def __init__(self, settings: Settings, credential: Credential | None = None) -> None:
        check_hook()
        self.settings = settings
        self.config: AgentAuthConfiguration = auth_config(settings)
        self.keys = KeySet(settings.openid_metadata_url)
        self.tokens: ConnectorTokens | None = None
        if not settings.local_mode:
            self.tokens = ConnectorTokens(credential or msal_credential(settings))

    async def authenticate(self, auth_header: str, activity: dict[str, Any]) -> None:
        if self.settings.local_mode:
            return  # anonymous; a header, if one came, is not read at all
        scheme, _, token = (auth_header or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            log.warning("inbound activity refused: not authenticated")
            raise Unauthorized("Unauthorized.")
        channel = activity.get("channelId")
        validator = ChannelTokenValidator(
            self.config, self.keys.for_channel(channel if isinstance(channel, str) else ""))
        try:
            claims = await validator.validate_token(token.strip())
            _check_service_url(claims, activity)
        except KeysUnavailable:
            raise
        except Exception as e:  # a bad token of any kind: the sender's problem
            log.warning("inbound activity refused: bad token (%s)", type(e).__name__)
            raise Unauthorized("Unauthorized.") from None

    async def token(self, service_url: str) -> str | None:
        """One token serves every Bot Connector URL (the scope is api.botframework.com)."""
        return None if self.tokens is None else await self.tokens.get()

    async def close(self) -> None:
        return None  # no sockets held: key and token fetches open and close their own


def _check_service_url(claims: ClaimsIdentity, activity: dict[str, Any]) -> None:
    """The channel signs the service URL it sends from; an activity naming another one (where
    our answers, and our token, would go) is refused, as botbuilder does."""
    claimed = claims.get_claim_value("serviceurl")
    if not isinstance(claimed, str) or claimed != activity.get("serviceUrl"):
        raise ValueError("service URL does not match the token")


def create_edge(settings: Settings) -> AgentsEdge:
    return AgentsEdge(settings)

"""Inbound authentication: every activity not signed for us is a 401, never a 500.

botbuilder raises PermissionError for a missing or refused token, which CloudAdapter turns into
401. A token signed by an unknown key, a malformed token or a key id it cannot find raise other
exceptions (PyJWT errors, IndexError), which would surface as 500. This wrapper makes them all
PermissionError. A failure to fetch Microsoft's signing keys stays an error (a 500 for Teams to
retry, and a log line for the operator), since that is our fault, not the sender's.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import requests
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.auth import AuthenticateRequestResult, AuthenticationConstants

from teams_bot.settings import Settings

log = logging.getLogger("sgtracker.auth")


class StrictAuthentication(ConfigurationBotFrameworkAuthentication):
    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        try:
            return await super().authenticate_request(activity, auth_header)
        except PermissionError:
            log.warning("inbound activity refused: not authenticated")
            raise
        except requests.RequestException:
            log.error("could not fetch the Bot Framework signing keys (OpenID metadata)")
            raise
        except Exception as e:  # a bad token of any other kind: the sender's problem
            log.warning("inbound activity refused: bad token (%s)", type(e).__name__)
            raise PermissionError("Unauthorized Access. Request is not authorized") from None


def auth_config(settings: Settings) -> SimpleNamespace:
    """The attribute names botbuilder reads (the Agents SDK's CONNECTIONS__* map to these).

    TRACKER_OPENID_METADATA_URL switches botbuilder to its parameterised authentication with
    the public cloud's constants and that metadata URL: for tests (a local key server) and for
    clouds whose Bot Framework keys live elsewhere.
    """
    cfg: dict[str, Any] = dict(
        APP_ID=settings.app_id, APP_PASSWORD=settings.app_password,
        APP_TYPE=settings.app_type if settings.app_id else "MultiTenant",
        APP_TENANTID=settings.app_tenant_id,
    )
    if settings.openid_metadata_url:
        cfg.update(
            TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=settings.openid_metadata_url,
            TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=settings.openid_metadata_url,
            TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
            TO_CHANNEL_FROM_BOT_LOGIN_URL=AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX,
            TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
            OAUTH_URL=AuthenticationConstants.OAUTH_URL,
            CALLER_ID=CallerIdConstants.public_azure_channel,
            VALIDATE_AUTHORITY=True,
        )
    return SimpleNamespace(**cfg)

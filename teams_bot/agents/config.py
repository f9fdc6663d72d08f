"""Our Settings as the Agents SDK's AgentAuthConfiguration.

The SDK's own names (CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID, CLIENTSECRET,
TENANTID, AUTHTYPE) are filled from the MicrosoftApp* settings the operator already sets.
"""

from __future__ import annotations

from microsoft_agents.hosting.core import AgentAuthConfiguration, AuthTypes

from teams_bot.settings import Settings

# Every call to the Bot Connector (Teams' REST API) carries a token for this scope.
BOT_CONNECTOR_SCOPE = "https://api.botframework.com/.default"
LOGIN = "https://login.microsoftonline.com"
MULTI_TENANT = "botframework.com"  # the authority multi-tenant bots get tokens from


def tenant(settings: Settings) -> str:
    """The tenant our tokens come from: ours, or botframework.com for a multi-tenant bot."""
    if settings.app_type.lower() == "multitenant" or not settings.app_tenant_id:
        return MULTI_TENANT
    return settings.app_tenant_id


def auth_config(settings: Settings) -> AgentAuthConfiguration:
    """Audience = our app id; issuer checked (the SDK leaves that off unless asked)."""
    managed = settings.app_type.lower() == "userassignedmsi"
    return AgentAuthConfiguration(
        auth_type=AuthTypes.user_managed_identity if managed else AuthTypes.client_secret,
        client_id=settings.app_id or None,
        tenant_id=tenant(settings),
        client_secret=settings.app_password or None,
        authority=f"{LOGIN}/{tenant(settings)}",
        scopes=[BOT_CONNECTOR_SCOPE],
        anonymous_allowed=settings.local_mode,
        validate_issuer=True,
    )

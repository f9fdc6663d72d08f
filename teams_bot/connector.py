"""Bot Connector clients, built once per app id, service URL and audience, and shared.

Unchanged, CloudAdapter builds a new connector client and a new user-token client for every
inbound activity. Each build constructs msrest's `ClientRetryPolicy`, which tests 999 status
codes against a 500-item list: about 7 ms of CPU, twice per turn, which capped a bare echo bot
near 40 activities a second. `CachingAuthentication` wraps the real authentication (inbound
checks are untouched) and hands out cached clients instead.

Every client also gets `no_retries`: msrest's policy would retry 5xx in place, outside our
pacing, and for a PUT it turns a 503 into a status-less error that hides Retry-After.
"""

from __future__ import annotations

import asyncio
from typing import Any

from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.skills import BotFrameworkClient


def no_retries(client: Any) -> Any:
    """Switch msrest's retries off, in place: its sessions already hold this policy object."""
    policy = client.config.retry_policy.policy
    policy.total = policy.connect = policy.read = policy.status = policy.redirect = 0
    policy.status_forcelist = frozenset()
    policy.raise_on_status = False
    policy.respect_retry_after_header = False
    return client


class CachingConnectorFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory, cache: dict[tuple[str, str, str], Any],
                 lock: asyncio.Lock) -> None:
        self._inner = inner
        self._cache = cache
        self._lock = lock

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (str(getattr(self._inner, "_app_id", "")), service_url, audience or "")
        client = self._cache.get(key)
        if client is None:
            async with self._lock:
                if key not in self._cache:
                    self._cache[key] = no_retries(await self._inner.create(service_url,
                                                                           audience))  # type: ignore[arg-type]
                client = self._cache[key]
        return client  # type: ignore[no-any-return]


class CachingAuthentication(BotFrameworkAuthentication):
    """The wrapped authentication, with connector and user-token clients reused."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self.inner = inner
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._tokens: dict[str, UserTokenClient] = {}
        self._lock = asyncio.Lock()

    def _caching(self, factory: ConnectorFactory) -> ConnectorFactory:
        return CachingConnectorFactory(factory, self._clients, self._lock)

    async def authenticate_request(self, activity: Activity,
                                   auth_header: str) -> AuthenticateRequestResult:
        result = await self.inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = self._caching(result.connector_factory)
        return result

    async def authenticate_streaming_request(self, auth_header: str,
                                             channel_id_header: str) -> AuthenticateRequestResult:
        return await self.inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._caching(self.inner.create_connector_factory(claims_identity))

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        from botframework.connector.auth import JwtTokenValidation

        app_id = str(JwtTokenValidation.get_app_id_from_claims(claims_identity.claims) or "")
        client = self._tokens.get(app_id)
        if client is None:
            client = await self.inner.create_user_token_client(claims_identity)
            self._tokens[app_id] = client
        return client

    def create_bot_framework_client(self) -> BotFrameworkClient:
        return self.inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self.inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self.inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        for client in self._clients.values():
            try:
                await client.close()
            except Exception:
                pass
        self._clients.clear()


def fast_turn_sends(adapter: Any, connector: Any) -> None:
    """Send a turn's answers (and in-place updates) through `wire.Connector` instead of msrest.
    Invoke responses, delays and traces are left to CloudAdapter, which sends nothing for them.
    """
    from botbuilder.core import TurnContext
    from botbuilder.schema import ActivityTypes, ResourceResponse

    from .wire import path, to_wire

    original_send = adapter.send_activities
    local_only = {ActivityTypes.invoke_response, ActivityTypes.trace, "delay"}

    def credentials(context: TurnContext) -> Any:
        client = context.turn_state.get(adapter.BOT_CONNECTOR_CLIENT_KEY)
        return getattr(getattr(client, "config", None), "credentials", None)

    async def send_activities(context: TurnContext,
                              activities: list[Activity]) -> list[ResourceResponse]:
        responses = []
        for activity in activities:
            if activity.type in local_only:
                responses += await original_send(context, [activity])
                continue
            activity.id = None
            conv = activity.conversation.id
            url_path = path(conv, activity.reply_to_id) if activity.reply_to_id else path(conv)
            data = await connector.call("POST", activity.service_url, url_path,
                                        to_wire(activity), credentials(context))
            responses.append(ResourceResponse(id=data.get("id") or ""))
        return responses

    async def update_activity(context: TurnContext, activity: Activity) -> Any:
        data = await connector.call("PUT", activity.service_url,
                                    path(activity.conversation.id, activity.id),
                                    to_wire(activity), credentials(context))
        return ResourceResponse(id=data["id"]) if data.get("id") else None

    adapter.send_activities = send_activities
    adapter.update_activity = update_activity

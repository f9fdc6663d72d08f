"""Outbound Teams operations (new thread, reply, 1:1 message, update) through Bot Connector.

Calls go through `wire.Connector` (one aiohttp session, JSON built directly), authenticated with
the app credentials of botbuilder's connector client for the service URL. That msrest client is
built once per service URL and kept, with its retries off; it is still used for the calls we do
not make often (member lists). The delivery worker retries, paced within Teams' limits.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationParameters
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import AuthenticationConstants

from tracker.ports import ChannelRef

from .connector import no_retries
from .wire import TRANSIENT, Connector, SendError, path, to_wire

__all__ = ["TRANSIENT", "Gateway", "Posted", "SendError"]
log = logging.getLogger("sgtracker.gateway")


@dataclass(frozen=True)
class Posted:
    conversation_id: str
    activity_id: str


class Gateway:
    def __init__(self, adapter: CloudAdapter, app_id: str, timeout: float = 30.0,
                 connector: Connector | None = None, tenant_id: str = "") -> None:
        self.adapter = adapter
        self.tenant_id = tenant_id  # MicrosoftAppTenantId: proactive targets must be in it
        self.app_id = app_id
        self.timeout = timeout
        self.connector = connector or Connector(timeout)
        self._clients: dict[str, ConnectorClient] = {}
        self._directs: dict[tuple[str, str], str] = {}
        self._lock = asyncio.Lock()

    async def client(self, service_url: str) -> ConnectorClient:
        """botbuilder's connector client for a service URL (built once; retries off)."""
        client = self._clients.get(service_url)
        if client is not None:
            return client
        async with self._lock:
            if service_url not in self._clients:
                claims = self.adapter.create_claims_identity(self.app_id)
                claims.claims[AuthenticationConstants.SERVICE_URL_CLAIM] = service_url
                factory = self.adapter.bot_framework_authentication.create_connector_factory(
                    claims)
                self._clients[service_url] = no_retries(await factory.create(service_url, None))
            return self._clients[service_url]

    async def _call(self, method: str, service_url: str, url_path: str, body: Any) -> Any:
        credentials = (await self.client(service_url)).config.credentials
        return await self.connector.call(method, service_url, url_path, to_wire(body),
                                         credentials, limit=self.timeout)

    def _our_tenant(self, tenant_id: str) -> None:
        """A proactive target outside our tenant is refused (permanent, 403), logged without
        content."""
        if self.tenant_id and tenant_id.lower() != self.tenant_id.lower():
            log.warning("proactive message refused: the target is in another tenant")
            raise SendError(403, "the target is in another tenant")

    def _bot_account(self) -> ChannelAccount:
        return ChannelAccount(id=f"28:{self.app_id}" if self.app_id else "bot")

    async def create_thread(self, channel: ChannelRef, activity: Activity) -> Posted:
        """Start a new thread in a channel: POST /v3/conversations with the channel id."""
        self._our_tenant(channel.tenant_id)
        params = ConversationParameters(
            is_group=True, bot=self._bot_account(),
            channel_data={"channel": {"id": channel.channel_id},
                          "tenant": {"id": channel.tenant_id}},
            activity=activity, tenant_id=channel.tenant_id)
        resp = await self._call("POST", channel.service_url, "v3/conversations", params)
        conv = str(resp.get("id") or "")
        if not conv:
            raise SendError(0, "Teams accepted the thread but returned no conversation id")
        act_id = resp.get("activityId") or conv.split(";messageid=")[-1]
        return Posted(conv, str(act_id))

    async def reply(self, service_url: str, conversation_id: str, reply_to_id: str,
                    activity: Activity) -> str:
        resp = await self._call("POST", service_url, path(conversation_id, reply_to_id),
                                activity)
        return str(resp.get("id") or "")

    async def send(self, service_url: str, conversation_id: str, activity: Activity) -> str:
        resp = await self._call("POST", service_url, path(conversation_id), activity)
        return str(resp.get("id") or "")

    async def update(self, service_url: str, conversation_id: str, activity_id: str,
                     activity: Activity) -> None:
        activity.id = activity_id
        await self._call("PUT", service_url, path(conversation_id, activity_id), activity)

    def known_direct(self, service_url: str, user_id: str) -> str | None:
        return self._directs.get((service_url, user_id))

    async def open_direct(self, service_url: str, tenant_id: str, user_id: str) -> str:
        """The 1:1 conversation with a user, created proactively (Teams gives the same id every
        time, so it is asked for once per user and remembered)."""
        self._our_tenant(tenant_id)
        key = (service_url, user_id)
        if key in self._directs:
            return self._directs[key]
        params = ConversationParameters(
            is_group=False, bot=self._bot_account(),
            members=[ChannelAccount(id=user_id)], tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}})
        resp = await self._call("POST", service_url, "v3/conversations", params)
        if not resp.get("id"):
            raise SendError(0, "Teams returned no conversation id for the 1:1 chat")
        self._directs[key] = str(resp["id"])
        return self._directs[key]

    async def close(self) -> None:
        for client in self._clients.values():
            try:
                await client.close()
            except Exception:
                pass
        self._clients.clear()
        await self.connector.close()

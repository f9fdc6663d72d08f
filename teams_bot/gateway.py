"""Outbound Teams operations through Bot Framework's connector, one cached client per service URL.

Building a connector client is costly in the retired msrest library (its retry policy burns
milliseconds of CPU per client), so we build one per service URL and keep it. Its own retries
are switched off: the delivery worker retries, paced within Teams' limits.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
)
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import AuthenticationConstants
from msrest.exceptions import ClientRequestError, HttpOperationError

from tracker.ports import ChannelRef

from .connector import no_retries

TRANSIENT = frozenset({408, 412, 429, 500, 502, 503, 504})


class SendError(Exception):
    """A failed Bot Connector call. `permanent` errors are never retried."""

    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(f"HTTP {status}: {message}" if status else message)

    @property
    def permanent(self) -> bool:
        return self.status not in TRANSIENT and self.status != 0


@dataclass(frozen=True)
class Posted:
    conversation_id: str
    activity_id: str


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _translate(err: Exception) -> SendError:
    if isinstance(err, HttpOperationError) and err.response is not None:
        resp = err.response
        status = int(getattr(resp, "status_code", 0) or 0)
        return SendError(status, _short(err), _retry_after(getattr(resp, "headers", None)))
    if isinstance(err, ClientRequestError | asyncio.TimeoutError | OSError):
        return SendError(0, f"network error: {type(err).__name__}")
    return SendError(0, f"{type(err).__name__}: {_short(err)}")


def _short(err: Exception) -> str:
    return str(err).splitlines()[0][:300] if str(err) else type(err).__name__


class Gateway:
    def __init__(self, adapter: CloudAdapter, app_id: str, timeout: float = 30.0) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self.timeout = timeout
        self._clients: dict[str, ConnectorClient] = {}
        self._directs: dict[tuple[str, str], str] = {}
        self._lock = asyncio.Lock()

    async def client(self, service_url: str) -> ConnectorClient:
        client = self._clients.get(service_url)
        if client is not None:
            return client
        async with self._lock:
            if service_url not in self._clients:
                claims = self.adapter.create_claims_identity(self.app_id)
                claims.claims[AuthenticationConstants.SERVICE_URL_CLAIM] = service_url
                factory = self.adapter.bot_framework_authentication.create_connector_factory(
                    claims)
                client = no_retries(await factory.create(service_url, None))
                self._clients[service_url] = client
            return self._clients[service_url]

    async def _call(self, coro: Any) -> Any:
        try:
            return await asyncio.wait_for(coro, self.timeout)
        except SendError:
            raise
        except Exception as err:
            raise _translate(err) from None

    async def create_thread(self, channel: ChannelRef, activity: Activity) -> Posted:
        """Start a new thread in a channel: POST /v3/conversations with the channel id, through
        the cached client (msrest retries off, so only our paced retries happen)."""
        params = ConversationParameters(
            is_group=True, bot=self._bot_account(),
            channel_data={"channel": {"id": channel.channel_id},
                          "tenant": {"id": channel.tenant_id}},
            activity=activity, tenant_id=channel.tenant_id)
        client = await self.client(channel.service_url)
        resp = await self._call(client.conversations.create_conversation(params))
        conv = str(getattr(resp, "id", "") or "")
        if not conv:
            raise SendError(0, "Teams accepted the thread but returned no conversation id")
        act_id = getattr(resp, "activity_id", None) or conv.split(";messageid=")[-1]
        return Posted(conv, str(act_id))

    def _bot_account(self) -> ChannelAccount:
        return ChannelAccount(id=f"28:{self.app_id}" if self.app_id else "bot")

    async def reply(self, service_url: str, conversation_id: str, reply_to_id: str,
                    activity: Activity) -> str:
        client = await self.client(service_url)
        resp = await self._call(client.conversations.reply_to_activity(
            conversation_id, reply_to_id, activity))
        return getattr(resp, "id", "") or ""

    async def send(self, service_url: str, conversation_id: str, activity: Activity) -> str:
        client = await self.client(service_url)
        resp = await self._call(client.conversations.send_to_conversation(
            conversation_id, activity))
        return getattr(resp, "id", "") or ""

    async def update(self, service_url: str, conversation_id: str, activity_id: str,
                     activity: Activity) -> None:
        client = await self.client(service_url)
        activity.id = activity_id
        await self._call(client.conversations.update_activity(
            conversation_id, activity_id, activity))

    def known_direct(self, service_url: str, user_id: str) -> str | None:
        return self._directs.get((service_url, user_id))

    async def open_direct(self, service_url: str, tenant_id: str, user_id: str) -> str:
        """The 1:1 conversation with a user, created proactively (Teams gives the same id every
        time, so it is asked for once per user and remembered)."""
        key = (service_url, user_id)
        if key in self._directs:
            return self._directs[key]
        client = await self.client(service_url)
        params = ConversationParameters(
            is_group=False, bot=self._bot_account(),
            members=[ChannelAccount(id=user_id)], tenant_id=tenant_id,
            channel_data={"tenant": {"id": tenant_id}})
        resp = await self._call(client.conversations.create_conversation(params))
        self._directs[key] = str(resp.id)
        return self._directs[key]

    async def close(self) -> None:
        for client in self._clients.values():
            try:
                await client.close()
            except Exception:
                pass
        self._clients.clear()

"""Outbound Teams operations (new thread, reply, 1:1 message, update, member look-up) through
the Bot Connector, as JSON dicts over our own connector. The delivery worker retries, paced
within Teams' limits."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from teams_bot.outbound.connector import TRANSIENT, Connector, SendError, path
from tracker.ports import ChannelRef, Person

__all__ = ["TRANSIENT", "Gateway", "Posted", "SendError"]
log = logging.getLogger("sgtracker.gateway")
Activity = dict[str, Any]


@dataclass(frozen=True)
class Posted:
    conversation_id: str
    activity_id: str


class Gateway:
    def __init__(self, connector: Connector, app_id: str, tenant_id: str = "",
                 timeout: float = 30.0) -> None:
        self.connector = connector
        self.app_id = app_id
        self.tenant_id = tenant_id  # MicrosoftAppTenantId: proactive targets must be in it
        self.timeout = timeout
        self._directs: dict[tuple[str, str], str] = {}

    async def _call(self, method: str, service_url: str, url_path: str,
                    body: Any = None) -> dict[str, Any]:
        return await self.connector.call(method, service_url, url_path, body,
                                         limit=self.timeout)

    def _our_tenant(self, tenant_id: str) -> None:
        """A proactive target outside our tenant is refused (permanent, 403), logged without
        content."""
        if self.tenant_id and tenant_id.lower() != self.tenant_id.lower():
            log.warning("proactive message refused: the target is in another tenant")
            raise SendError(403, "the target is in another tenant")

    def _bot_account(self) -> dict[str, str]:
        return {"id": f"28:{self.app_id}" if self.app_id else "bot"}

    async def create_thread(self, channel: ChannelRef, activity: Activity) -> Posted:
        """Start a new thread in a channel: POST /v3/conversations with the channel id."""
        self._our_tenant(channel.tenant_id)
        params = {"isGroup": True, "bot": self._bot_account(),
                  "channelData": {"channel": {"id": channel.channel_id},
                                  "tenant": {"id": channel.tenant_id}},
                  "activity": activity, "tenantId": channel.tenant_id}
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
        await self._call("PUT", service_url, path(conversation_id, activity_id),
                         {**activity, "id": activity_id})

    def known_direct(self, service_url: str, user_id: str) -> str | None:
        return self._directs.get((service_url, user_id))

    async def open_direct(self, service_url: str, tenant_id: str, user_id: str) -> str:
        """The 1:1 conversation with a user, created proactively (Teams gives the same id every
        time, so it is asked for once per user and remembered)."""
        self._our_tenant(tenant_id)
        key = (service_url, user_id)
        if key in self._directs:
            return self._directs[key]
        params = {"isGroup": False, "bot": self._bot_account(), "members": [{"id": user_id}],
                  "tenantId": tenant_id, "channelData": {"tenant": {"id": tenant_id}}}
        resp = await self._call("POST", service_url, "v3/conversations", params)
        if not resp.get("id"):
            raise SendError(0, "Teams returned no conversation id for the 1:1 chat")
        self._directs[key] = str(resp["id"])
        return self._directs[key]

    async def member(self, service_url: str, conversation_id: str,
                     member_id: str) -> Person | None:
        """One member of a conversation or team (GET .../members/{id}, by Teams id or user
        principal name); None when it has no such member, SendError when Teams fails."""
        url_path = (f"v3/conversations/{quote(conversation_id, safe='')}/members/"
                    f"{quote(member_id, safe='')}")
        try:
            m = await self._call("GET", service_url, url_path)
        except SendError as e:
            if e.status == 404:
                return None
            raise
        return Person(aad_id=str(m.get("aadObjectId") or ""), teams_id=str(m.get("id") or
                                                                          member_id),
                      name=str(m.get("name") or ""), upn=str(m.get("userPrincipalName") or ""))

    async def close(self) -> None:
        await self.connector.close()

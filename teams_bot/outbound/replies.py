"""A turn's answers, sent into the conversation the activity came from, within the same pacing
as the delivery worker (a busy channel and a burst of notifications together stay under Teams'
limits)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from teams_bot.outbound.connector import SendError, path
from teams_bot.outbound.gateway import Gateway
from teams_bot.outbound.pacing import Pacer, thread_key
from tracker.ports import Person

log = logging.getLogger("sgtracker.replies")


@dataclass(frozen=True)
class Origin:
    """Where an activity came from, as the Bot Connector needs it to answer."""

    service_url: str
    conversation_id: str
    activity_id: str = ""  # answered as a reply to it (in a channel: in its thread)
    bot: tuple[str, str] = ("", "")  # id, name
    user: tuple[str, str] = ("", "")
    team_id: str = ""  # members are looked up in the team when there is one


class TurnReplies:
    def __init__(self, gateway: Gateway, pacer: Pacer | None, origin: Origin) -> None:
        self.gateway = gateway
        self.pacer = pacer
        self.origin = origin

    async def send(self, activity: dict[str, Any]) -> str:
        o = self.origin
        body = {**activity, "serviceUrl": o.service_url, "conversation": {"id": o.conversation_id},
                "from": {"id": o.bot[0], "name": o.bot[1]},
                "recipient": {"id": o.user[0], "name": o.user[1]}}
        if o.activity_id:
            body["replyToId"] = o.activity_id
        url_path = path(o.conversation_id, o.activity_id or None)
        if self.pacer is None:
            data = await self.gateway.connector.call("POST", o.service_url, url_path, body)
        else:
            async with self.pacer.slot(thread_key(o.conversation_id)):
                data = await self.gateway.connector.call("POST", o.service_url, url_path, body)
        return str(data.get("id") or "")

    async def member(self, teams_id: str) -> Person | None:
        o = self.origin
        try:
            return await self.gateway.member(o.service_url, o.team_id or o.conversation_id,
                                             teams_id)
        except SendError:  # Teams said no: treat as unknown
            log.info("member lookup failed")
            return None

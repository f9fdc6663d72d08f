"""The app's long-lived objects, built once by the app factory and passed around."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.inbound import first_time, forget, inbound_key
from teams_bot.settings import Settings
from tracker.clock import Clock, today
from tracker.reference import Reference
from tracker.service import CaseService


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    ref: Reference
    clock: Clock
    service: CaseService
    nudge: Callable[[], None] = field(default=lambda: None)

    def today(self) -> date:
        return today(self.clock)

    async def first_time(self, conversation_id: str, activity_id: str, aad_id: str = "",
                         channel_id: str = "") -> bool:
        """True the first time; the sender's grants and the channel may come with it."""
        key = inbound_key(conversation_id, activity_id)
        return await first_time(self.engine, key, self.clock.now(), aad_id, channel_id)

    async def forget_activity(self, conversation_id: str, activity_id: str) -> None:
        await forget(self.engine, inbound_key(conversation_id, activity_id))


DEDUPE_KEEP = timedelta(days=2)

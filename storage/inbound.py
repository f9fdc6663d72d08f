"""Inbound de-duplication: Teams re-sends an activity when the bot is slow to answer."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from .lease import transaction
from .tables import inbound_activities

_SEEN = insert(inbound_activities)  # built once: this runs for every activity


def inbound_key(conversation_id: str, activity_id: str) -> str:
    """Activity ids are unique within a conversation only: the key is both, hashed to fit."""
    raw = f"{conversation_id}\n{activity_id}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(raw).hexdigest()


async def first_time(engine: AsyncEngine, key: str, now: datetime) -> bool:
    """True the first time an activity key (`inbound_key`) is seen."""
    try:
        async with transaction(engine, single=True) as conn:
            await conn.execute(_SEEN, {"activity_id": key[:200], "received_at": now})
        return True
    except IntegrityError:
        return False


async def forget_before(engine: AsyncEngine, now: datetime, keep: timedelta) -> int:
    async with engine.begin() as conn:
        done = await conn.execute(delete(inbound_activities)
                                  .where(inbound_activities.c.received_at < now - keep))
        return done.rowcount or 0


async def forget(engine: AsyncEngine, key: str) -> None:
    """The turn rolled back: let Teams' re-send of this activity be handled, not ignored."""
    async with transaction(engine, single=True) as conn:
        await conn.execute(delete(inbound_activities)
                           .where(inbound_activities.c.activity_id == key[:200]))

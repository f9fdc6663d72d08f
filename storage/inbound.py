"""Inbound de-duplication: Teams re-sends an activity when the bot is slow to answer.

On PostgreSQL a turn's first statement also reads what its gate will ask next (the sender's
role grants, the channel's set-up): one round trip where there were three. The insert and the
reads are one statement, committed alone; under READ COMMITTED the reads see what a separate
read at that moment would have seen. The turn remembers them (`directory.turn_reads`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, insert, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from tracker.permissions import Grant, Scope, ScopeKind
from tracker.ports import ChannelRef

from .directory import remember
from .hot import Hot
from .lease import transaction
from .tables import inbound_activities
from .types import UTCDateTime

_SEEN = Hot(insert(inbound_activities), ("activity_id", "received_at"), writes=True)
_OPEN = """
    WITH seen AS (
        INSERT INTO inbound_activities (activity_id, received_at)
        VALUES (:activity_id, :received_at)
        ON CONFLICT (activity_id) DO NOTHING
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM seen) AS first,
        (SELECT json_agg(json_build_array(g.role, g.scope_kind, g.scope_key) ORDER BY g.id)
           FROM role_grants g WHERE g.aad_id = :aad_id) AS grants"""
_AND_CHANNEL = """,
        (SELECT json_build_array(c.service_url, c.tenant_id, c.team_id, c.channel_id,
                                 c.locality)
           FROM channels c WHERE c.channel_id = :channel_id
           ORDER BY c.locality LIMIT 1) AS channel"""
_OPEN_CHAT, _OPEN_CHANNEL = (  # every turn on PostgreSQL: in a 1:1 chat, in a channel
    Hot(text(sql).bindparams(bindparam("received_at", type_=UTCDateTime)), writes=True)
    for sql in (_OPEN, _OPEN + _AND_CHANNEL))


def inbound_key(conversation_id: str, activity_id: str) -> str:
    """Activity ids are unique within a conversation only: the key is both, hashed to fit."""
    raw = f"{conversation_id}\n{activity_id}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(raw).hexdigest()


async def first_time(engine: AsyncEngine, key: str, now: datetime, aad_id: str = "",
                     channel_id: str = "") -> bool:
    """True the first time an activity key (`inbound_key`) is seen. On PostgreSQL the same
    round trip reads `aad_id`'s grants and `channel_id`'s set-up for the turn to remember."""
    if engine.dialect.name == "postgresql":
        params = {"activity_id": key[:200], "received_at": now, "aad_id": aad_id}
        async with transaction(engine, single=True) as conn:
            if channel_id:
                [row] = await _OPEN_CHANNEL.rows(conn, {**params, "channel_id": channel_id})
            else:
                [row] = await _OPEN_CHAT.rows(conn, params)
        if row["first"]:
            grants = tuple(Grant(role, Scope(ScopeKind(kind), scope))
                           for role, kind, scope in row["grants"] or ())
            c = row.get("channel")
            remember(aad_id, grants, channel_id, ChannelRef(*c) if c else None)
        return bool(row["first"])
    try:
        async with transaction(engine, single=True) as conn:
            await _SEEN.run(conn, {"activity_id": key[:200], "received_at": now})
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

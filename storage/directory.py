"""Installations, channels, people and role grants."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from tracker.permissions import Grant, Scope, ScopeKind
from tracker.ports import ChannelRef, Installation, Person, RoleHolder

from .hot import Hot
from .tables import channels, installations, people, role_grants

_GRANTS = Hot(select(role_grants).where(role_grants.c.aad_id == bindparam("b_aad")))
_CHANNEL = Hot(select(channels).where(channels.c.channel_id == bindparam("b_channel"))
               .order_by(channels.c.locality).limit(1))  # every channel turn

class _TurnReads:
    """A turn's reads of the directory (grants by person, channels by id), shared with the
    tasks the turn starts."""

    __slots__ = ("by_person", "channels", "changed")

    def __init__(self) -> None:
        self.by_person: dict[str, tuple[Grant, ...]] = {}
        self.channels: dict[str, ChannelRef | None] = {}
        self.changed = False  # the turn changed a grant or a channel: read afresh from now on


_TURN_READS: ContextVar[_TurnReads | None] = ContextVar("sgtracker_turn_reads", default=None)


@contextmanager
def turn_reads() -> Iterator[None]:
    """Within the block (one inbound turn) a person's role grants and the turn's channel are
    read once: the turn's permission gate and the service call behind it judge the same
    grants, and on PostgreSQL both come with the dedupe insert (storage/inbound.py), in one
    round trip. Once the turn changes a grant or a channel they are read every time."""
    memo = _TurnReads()
    token = _TURN_READS.set(memo)
    try:
        yield
    finally:
        _TURN_READS.reset(token)
        memo.changed = True  # a task the turn started and that outlives it reads afresh


def remember(aad_id: str, grants: tuple[Grant, ...],
             channel_id: str, channel: ChannelRef | None) -> None:
    """What the turn read at its start (`aad_id` or `channel_id` "": not read)."""
    memo = _TURN_READS.get()
    if memo is None or memo.changed:
        return
    if aad_id:
        memo.by_person[aad_id] = grants
    if channel_id:
        memo.channels[channel_id] = channel


def _changed() -> None:
    if (memo := _TURN_READS.get()) is not None:
        memo.changed = True
        memo.by_person.clear()
        memo.channels.clear()


class SqlDirectory:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def record_installation(self, inst: Installation) -> bool:
        """Store where the bot was added; True if this team is new to us."""
        values = dict(service_url=inst.service_url, tenant_id=inst.tenant_id,
                      channel_id=inst.channel_id, conversation_id=inst.conversation_id,
                      bot_id=inst.bot_id, team_name=inst.team_name,
                      installed_at=datetime.now(UTC))
        done = await self.conn.execute(update(installations)
                                       .where(installations.c.team_id == inst.team_id)
                                       .values(**values))
        if done.rowcount:
            return False
        try:  # Teams sends installationUpdate and conversationUpdate at once: one inserts
            async with self.conn.begin_nested():
                await self.conn.execute(insert(installations).values(team_id=inst.team_id,
                                                                     **values))
            return True
        except IntegrityError:  # the other turn inserted it first (its values are as good)
            return False

    async def installation_for_tenant(self, tenant_id: str) -> Installation | None:
        row = (await self.conn.execute(
            select(installations).where(installations.c.tenant_id == tenant_id)
            .order_by(installations.c.installed_at.desc()).limit(1))).first()
        if row is None:
            return None
        return Installation(row.service_url, row.tenant_id, row.team_id, row.channel_id,
                            row.conversation_id, row.bot_id, row.team_name)

    async def set_channel(self, channel: ChannelRef) -> bool:
        """Attach a channel to a locality ("" = the default) that has none; never replaces one
        (moving is `move_channel`). True if it was attached."""
        _changed()
        taken = (await self.conn.execute(select(channels.c.locality).where(
            channels.c.locality == channel.locality))).first()
        if taken is not None:
            return False
        try:
            async with self.conn.begin_nested():  # two first setups at once: one wins
                await self.conn.execute(insert(channels).values(
                    locality=channel.locality, channel_id=channel.channel_id,
                    team_id=channel.team_id, service_url=channel.service_url,
                    tenant_id=channel.tenant_id))
        except IntegrityError:
            return False
        return True

    async def move_channel(self, channel: ChannelRef) -> None:
        """Point an attached locality at another channel (the explicit `move channel`)."""
        _changed()
        await self.conn.execute(update(channels).where(channels.c.locality == channel.locality)
                                .values(channel_id=channel.channel_id, team_id=channel.team_id,
                                        service_url=channel.service_url,
                                        tenant_id=channel.tenant_id))

    async def channel_for(self, locality: str) -> ChannelRef | None:
        rows = {r.locality: r for r in await self.conn.execute(
            select(channels).where(channels.c.locality.in_([locality, ""])))}
        row = rows.get(locality) or rows.get("")
        if row is None:
            return None
        return ChannelRef(row.service_url, row.tenant_id, row.team_id, row.channel_id,
                          row.locality)

    async def channels(self) -> list[ChannelRef]:
        rows = await self.conn.execute(select(channels).order_by(channels.c.locality))
        return [ChannelRef(r.service_url, r.tenant_id, r.team_id, r.channel_id, r.locality)
                for r in rows]

    async def channel_by_id(self, channel_id: str) -> ChannelRef | None:
        """The safeguarding set-up of one channel (indexed; the default one first)."""
        memo = _TURN_READS.get()
        if memo is not None and not memo.changed and channel_id in memo.channels:
            return memo.channels[channel_id]
        found = await _CHANNEL.rows(self.conn, {"b_channel": channel_id})
        if not found:
            return None
        r = found[0]
        return ChannelRef(r["service_url"], r["tenant_id"], r["team_id"], r["channel_id"],
                          r["locality"])

    async def upsert_person(self, person: Person) -> None:
        values = dict(teams_id=person.teams_id, name=person.name, upn=person.upn)
        if not person.teams_id:
            values.pop("teams_id")
        if not person.upn:
            values.pop("upn")
        done = await self.conn.execute(update(people).where(people.c.aad_id == person.aad_id)
                                       .values(**values))
        if done.rowcount == 0:
            await self.conn.execute(insert(people).values(
                aad_id=person.aad_id, teams_id=person.teams_id, name=person.name,
                upn=person.upn))

    async def person(self, aad_id: str) -> Person | None:
        row = (await self.conn.execute(select(people).where(people.c.aad_id == aad_id))).first()
        return Person(row.aad_id, row.teams_id, row.name, row.upn) if row else None

    async def person_by_upn(self, upn: str) -> Person | None:
        """Someone the bot has seen, by user principal name (case-insensitive)."""
        if not upn.strip():
            return None
        row = (await self.conn.execute(select(people).where(
            func.lower(people.c.upn) == upn.strip().lower()).limit(1))).first()
        return Person(row.aad_id, row.teams_id, row.name, row.upn) if row else None

    async def grants_for(self, aad_id: str) -> tuple[Grant, ...]:
        if not aad_id:
            return ()
        memo = _TURN_READS.get()
        if memo is not None and not memo.changed and aad_id in memo.by_person:
            return memo.by_person[aad_id]
        rows = await _GRANTS.rows(self.conn, {"b_aad": aad_id})
        grants = tuple(Grant(r["role"], Scope(ScopeKind(r["scope_kind"]), r["scope_key"]))
                       for r in rows)
        if memo is not None and not memo.changed:
            memo.by_person[aad_id] = grants
        return grants

    async def add_grant(self, aad_id: str, role: str, scope: Scope) -> bool:
        _changed()
        existing = await self.conn.execute(select(role_grants.c.id).where(
            role_grants.c.aad_id == aad_id, role_grants.c.role == role,
            role_grants.c.scope_kind == scope.kind.value, role_grants.c.scope_key == scope.key))
        if existing.first():
            return False
        await self.conn.execute(insert(role_grants).values(
            aad_id=aad_id, role=role, scope_kind=scope.kind.value, scope_key=scope.key))
        return True

    async def remove_grant(self, aad_id: str, role: str, scope: Scope) -> bool:
        _changed()
        done = await self.conn.execute(delete(role_grants).where(
            role_grants.c.aad_id == aad_id, role_grants.c.role == role,
            role_grants.c.scope_kind == scope.kind.value, role_grants.c.scope_key == scope.key))
        return done.rowcount > 0

    async def people(self, limit: int = 200) -> list[Person]:
        """People the bot has seen, by name (the local try-out's picker)."""
        rows = await self.conn.execute(select(people).order_by(people.c.name).limit(limit))
        return [Person(aad_id=r.aad_id, teams_id=r.teams_id, name=r.name, upn=r.upn or "")
                for r in rows]

    async def holders(self, role: str | None = None) -> list[RoleHolder]:
        q = select(role_grants, people.c.teams_id, people.c.name, people.c.upn).join(
            people, people.c.aad_id == role_grants.c.aad_id).order_by(role_grants.c.id)
        if role is not None:
            q = q.where(role_grants.c.role == role)
        return [RoleHolder(Person(r.aad_id, r.teams_id, r.name, r.upn), r.role,
                           Scope(ScopeKind(r.scope_kind), r.scope_key))
                for r in await self.conn.execute(q)]

"""The transactional outbox: every Teams operation is a row written with the change behind it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tracker.model import PersonRef
from tracker.ports import ChannelRef, Notice, NoticeKind

from .db import is_sqlite
from .tables import outbox
from .threads import DirectRef, ThreadRef, save_direct_in, save_thread_in

PENDING, SENT, FAILED = "pending", "sent", "failed"

# The hot statements are built once, with bind parameters: building a SQLAlchemy statement
# costs more CPU than running it (profiled on card clicks).
_INSERT = insert(outbox)
_JOIN_UPDATE = update(outbox).where(
    outbox.c.lane == bindparam("b_lane"), outbox.c.kind == NoticeKind.CARD_UPDATE.value,
    outbox.c.status == PENDING, outbox.c.claimed_until.is_(None)) \
    .values(attempts=outbox.c.attempts)
_earlier = outbox.alias("earlier")
_DUE = (select(outbox).where(
    outbox.c.status == PENDING, outbox.c.next_attempt_at <= bindparam("b_now"),
    or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < bindparam("b_now")),
    ~exists().where(and_(_earlier.c.lane == outbox.c.lane, _earlier.c.status == PENDING,
                         _earlier.c.id < outbox.c.id)))
    .order_by(outbox.c.id).limit(bindparam("b_limit")))
_DUE_LOCKED = _DUE.with_for_update(skip_locked=True, of=outbox)
_LEASE = update(outbox).where(outbox.c.id.in_(bindparam("b_ids", expanding=True))) \
    .values(claimed_until=bindparam("b_until"), claimed_by=bindparam("b_by"))
_SENT = update(outbox).where(outbox.c.id == bindparam("b_id")).values(
    status=SENT, activity_id=bindparam("b_activity"), sent_at=bindparam("b_now"),
    claimed_until=None, attempts=outbox.c.attempts + 1)
_MORE = select(outbox.c.id).where(outbox.c.lane == bindparam("b_lane"),
                                  outbox.c.status == PENDING,
                                  outbox.c.id > bindparam("b_id")).limit(1)


def lane_of(notice: Notice) -> str:
    """Rows in one lane are delivered one at a time, in order."""
    if notice.kind in (NoticeKind.DIRECT, NoticeKind.DIRECT_UPDATE) and notice.to is not None:
        return f"user:{notice.to.aad_id}"
    if notice.kind is NoticeKind.CHANNEL_POST and notice.channel is not None:
        return f"channel:{notice.channel.channel_id}"
    return f"case:{notice.case_number}"


def _person(p: PersonRef | None) -> dict[str, str] | None:
    return None if p is None else {"aad_id": p.aad_id, "name": p.name, "teams_id": p.teams_id}


def to_payload(n: Notice) -> dict[str, Any]:
    ch = n.channel
    return {
        "text": n.text, "card": n.card, "mentions": [_person(m) for m in n.mentions],
        "to": _person(n.to), "target": n.target,
        "channel": None if ch is None else {
            "service_url": ch.service_url, "tenant_id": ch.tenant_id, "team_id": ch.team_id,
            "channel_id": ch.channel_id, "locality": ch.locality},
    }


def from_payload(kind: str, case_number: int | None, key: str | None,
                 p: dict[str, Any]) -> Notice:
    ch = p.get("channel")
    return Notice(
        kind=NoticeKind(kind), case_number=case_number, text=p.get("text", ""),
        card=p.get("card", ""), mentions=tuple(PersonRef(**m) for m in p.get("mentions", [])),
        to=PersonRef(**p["to"]) if p.get("to") else None,
        channel=ChannelRef(**ch) if ch else None, key=key or "", target=p.get("target", ""))


class SqlOutbox:
    def __init__(self, conn: AsyncConnection,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.conn = conn
        self.now = now

    async def enqueue(self, notice: Notice) -> None:
        now = self.now()
        if notice.kind is NoticeKind.CARD_UPDATE and await self._join_pending_update(notice):
            return
        values = dict(kind=notice.kind.value, case_number=notice.case_number,
                      lane=lane_of(notice), dedupe_key=notice.key or None,
                      payload=to_payload(notice), status=PENDING, attempts=0,
                      next_attempt_at=now, created_at=now)
        if not notice.key:
            await self.conn.execute(_INSERT, values)
            return
        try:
            async with self.conn.begin_nested():
                await self.conn.execute(_INSERT, values)
        except IntegrityError:
            pass  # the same notice was queued before: once is enough

    async def _join_pending_update(self, notice: Notice) -> bool:
        """A card update renders the case as it is at delivery, so one unclaimed pending
        update per case is enough. Touching the row locks it against a worker's claim."""
        done = await self.conn.execute(_JOIN_UPDATE, {"b_lane": lane_of(notice)})
        return done.rowcount > 0


@dataclass(frozen=True)
class Recorded:
    activity_id: str
    more_in_lane: bool


@dataclass(frozen=True)
class OutboxRow:
    id: int
    kind: str
    case_number: int | None
    lane: str
    key: str | None
    payload: dict[str, Any]
    attempts: int

    @property
    def notice(self) -> Notice:
        return from_payload(self.kind, self.case_number, self.key, self.payload)


class OutboxQueue:
    """The delivery worker's side: claim due rows under a lease, then record the outcome."""

    def __init__(self, engine: AsyncEngine, worker_id: str, lease: timedelta) -> None:
        self.engine = engine
        self.worker_id = worker_id
        self.lease = lease
        self.sqlite = is_sqlite(str(engine.url))

    async def claim(self, now: datetime, limit: int = 20) -> list[OutboxRow]:
        """Due rows at the head of their lane, leased to us. On PostgreSQL rows another worker
        is claiming are skipped (`FOR UPDATE SKIP LOCKED`), not waited for."""
        async with self.engine.begin() as conn:
            rows = list(await conn.execute(_DUE if self.sqlite else _DUE_LOCKED,
                                           {"b_now": now, "b_limit": limit}))
            if rows:
                await conn.execute(_LEASE, {"b_ids": [r.id for r in rows],
                                            "b_until": now + self.lease,
                                            "b_by": self.worker_id})
        return [OutboxRow(r.id, r.kind, r.case_number, r.lane, r.dedupe_key, r.payload,
                          r.attempts) for r in rows]

    async def sent(self, row_id: int, activity_id: str, now: datetime,
                   thread: ThreadRef | None = None, direct: DirectRef | None = None,
                   lane: str | None = None) -> Recorded:
        """Record a delivery, and the thread or 1:1 message it created, in ONE transaction:
        the window in which Teams has the message but we do not know it is one commit wide.
        Says which activity id stands (a thread stored earlier wins) and whether the `lane`
        has a row waiting behind this one."""
        async with self.engine.begin() as conn:
            if thread is not None:
                activity_id = (await save_thread_in(conn, thread)).activity_id
            if direct is not None:
                await save_direct_in(conn, direct)
            await conn.execute(_SENT, {"b_id": row_id, "b_activity": activity_id,
                                       "b_now": now})
            more = lane is not None and (await conn.execute(
                _MORE, {"b_lane": lane, "b_id": row_id})).first() is not None
        return Recorded(activity_id, more)

    async def renew(self, row_ids: list[int], now: datetime) -> None:
        """Extend this worker's leases on rows it is still working on."""
        if not row_ids:
            return
        async with self.engine.begin() as conn:
            await conn.execute(update(outbox).where(
                outbox.c.id.in_(row_ids), outbox.c.claimed_by == self.worker_id,
                outbox.c.status == PENDING).values(claimed_until=now + self.lease))

    async def release_claims_of(self, worker_ids: list[str]) -> int:
        """Hand back rows leased by workers that are gone (or by us, on a clean stop)."""
        if not worker_ids:
            return 0
        async with self.engine.begin() as conn:
            done = await conn.execute(update(outbox).where(
                outbox.c.claimed_by.in_(worker_ids), outbox.c.status == PENDING,
                outbox.c.claimed_until.is_not(None)).values(claimed_until=None))
        return done.rowcount or 0

    async def thread_failed(self, case_number: int) -> bool:
        """True if the case's thread could not be created, for good."""
        async with self.engine.connect() as conn:
            found = (await conn.execute(select(outbox.c.id).where(
                outbox.c.case_number == case_number, outbox.c.status == FAILED,
                outbox.c.kind == NoticeKind.NEW_THREAD.value).limit(1))).first()
        return found is not None

    async def retry(self, row_id: int, error: str, at: datetime) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(outbox).where(outbox.c.id == row_id).values(
                attempts=outbox.c.attempts + 1, last_error=error[:2000], next_attempt_at=at,
                claimed_until=None))

    async def release(self, row_id: int, at: datetime) -> None:
        """Not sent, not tried: put it back (e.g. its thread does not exist yet)."""
        async with self.engine.begin() as conn:
            await conn.execute(update(outbox).where(outbox.c.id == row_id).values(
                next_attempt_at=at, claimed_until=None))

    async def failed(self, row_id: int, error: str, now: datetime) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(outbox).where(outbox.c.id == row_id).values(
                status=FAILED, attempts=outbox.c.attempts + 1, last_error=error[:2000],
                claimed_until=None, sent_at=None, next_attempt_at=now))

    async def next_due(self) -> datetime | None:
        async with self.engine.connect() as conn:
            return (await conn.execute(select(func.min(outbox.c.next_attempt_at))
                                       .where(outbox.c.status == PENDING))).scalar_one()

    async def listing(self, statuses: tuple[str, ...] = (PENDING, FAILED),
                      limit: int = 200, latest: bool = False) -> list[Any]:
        """Rows with these statuses, oldest first: the first `limit`, or the `latest`."""
        order = outbox.c.id.desc() if latest else outbox.c.id
        async with self.engine.connect() as conn:
            rows = list(await conn.execute(
                select(outbox).where(outbox.c.status.in_(statuses)).order_by(order).limit(limit)))
        return rows[::-1] if latest else rows

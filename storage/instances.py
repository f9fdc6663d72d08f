"""Running `serve` processes: each one beats here, so others can share Teams' rate limits with
it and take back its outbox leases when it dies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from .tables import instances


@dataclass(frozen=True)
class Instance:
    worker_id: str
    host: str
    pid: int
    seen_at: datetime


async def beat(engine: AsyncEngine, worker_id: str, host: str, pid: int,
               now: datetime) -> None:
    async with engine.begin() as conn:
        done = await conn.execute(update(instances).where(instances.c.worker_id == worker_id)
                                  .values(seen_at=now))
        if done.rowcount == 0:
            await conn.execute(insert(instances).values(worker_id=worker_id, host=host, pid=pid,
                                                        started_at=now, seen_at=now))


async def all_instances(engine: AsyncEngine) -> list[Instance]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(instances).order_by(instances.c.started_at))
        return [Instance(r.worker_id, r.host, r.pid, r.seen_at) for r in rows]


def stale(instance: Instance, now: datetime, after: timedelta) -> bool:
    return instance.seen_at < now - after


async def forget(engine: AsyncEngine, worker_ids: list[str]) -> None:
    if worker_ids:
        async with engine.begin() as conn:
            await conn.execute(delete(instances).where(instances.c.worker_id.in_(worker_ids)))

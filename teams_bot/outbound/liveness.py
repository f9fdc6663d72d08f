"""One heartbeat per `serve` process (every second): renew our outbox leases, take back the leases
of instances that died, and share Teams' rate limits with the instances still alive.

An instance is dead when its heartbeat is older than the lease, or at once when it ran on this
host and its process is gone (a `kill -9` and restart need not wait for the lease to run out).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from datetime import timedelta
from pathlib import Path

from storage.db import is_sqlite
from storage.instances import Instance, all_instances, beat, forget, stale
from teams_bot.outbound.delivery import DeliveryWorker
from teams_bot.services import Services

log = logging.getLogger("sgtracker.liveness")
HOST = socket.gethostname()[:80]
SHARE_HOLD = 30.0  # seconds: Teams' 30-second window


def new_worker_id() -> str:
    """Host and process id (to spot a dead local process), plus a random part in case two
    containers share both."""
    return f"{HOST}:{os.getpid()}:{secrets.token_hex(3)}"


def process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a killed child its parent has not reaped yet still answers kill(0)
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


class Liveness:
    def __init__(self, services: Services, worker: DeliveryWorker, lease: timedelta) -> None:
        self.s = services
        self.worker = worker
        self.queue = worker.queue
        self.lease = lease
        self.me = worker.queue.worker_id
        self.single = is_sqlite(str(services.engine.url))  # SQLite: one instance by design
        self._fewer_since = time.monotonic()

    def dead(self, others: list[Instance]) -> list[str]:
        now = self.s.clock.now()
        return [i.worker_id for i in others if i.worker_id != self.me and (
            stale(i, now, self.lease)
            or (i.host == HOST and i.pid != os.getpid() and process_gone(i.pid)))]

    async def tick(self) -> None:
        now = self.s.clock.now()
        await beat(self.s.engine, self.me, HOST, os.getpid(), now)
        await self.queue.renew(list(self.worker.in_flight), now)
        known = await all_instances(self.s.engine)
        dead = self.dead(known)
        if dead:
            taken = await self.queue.release_claims_of(dead)
            await forget(self.s.engine, dead)
            log.warning("instances %s are gone; %d outbox rows taken back", dead, taken)
            self.worker.nudge()
        live = 1 if self.single else max(1, len(known) - len(dead))
        self._share(live)

    def _share(self, live: int) -> None:
        """A newcomer lowers our share at once. A departure raises it only after SHARE_HOLD,
        since what the departed sent still counts in Teams' windows for a while."""
        pacer, now = self.worker.pacer, time.monotonic()
        if live > pacer.share or (live < pacer.share and now - self._fewer_since >= SHARE_HOLD):
            log.info("%d instances share Teams' rate limits", live)
            pacer.set_share(live)
        if live >= pacer.share:
            self._fewer_since = now

    @property
    def every(self) -> float:
        return min(1.0, max(0.2, self.lease.total_seconds() / 3))

    async def join(self) -> None:
        """Register and take back what a dead predecessor held. If others are running, give
        them a heartbeat to see us before we send: until they lower their share, the sum of
        shares would be too much. (Of two starting together, at least one sees the other.)"""
        await self.tick()
        if self.worker.pacer.share > 1:
            await asyncio.sleep(self.every * 1.5)
            await self.tick()

    async def run(self) -> None:
        every = self.every
        while True:
            try:
                await self.tick()
                self.worker.pacer.forget_idle()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("heartbeat failed")
            await asyncio.sleep(every)

    async def leave(self) -> None:
        """A clean stop: we hold nothing, and we no longer take a share."""
        await forget(self.s.engine, [self.me])

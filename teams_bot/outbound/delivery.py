"""The delivery worker: sends outbox rows to Teams, in order per lane, paced, with retries
(each kind of row is sent by teams_bot/sending.py; this module claims, retries and records).

Rows are leased while in flight (the lease is renewed by teams_bot/liveness.py), so a second
instance never takes them and a dead one's rows come back. A row is marked sent in the same
transaction that stores the thread or 1:1 message it created: the only moment a crash can
duplicate a message is between Teams accepting the call and that one commit.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta

from storage.outbox import OutboxQueue, OutboxRow
from storage.threads import Threads
from teams_bot.outbound.gateway import Gateway, SendError
from teams_bot.outbound.pacing import Pacer
from teams_bot.outbound.sending import Done, Sender, ThreadGone, WaitForThread
from teams_bot.services import Services
from tracker.ports import NoticeKind

log = logging.getLogger("sgtracker.delivery")
MAX_BACKOFF = 300.0
THREAD_KINDS = frozenset({NoticeKind.NEW_THREAD.value, NoticeKind.CARD_UPDATE.value,
                          NoticeKind.THREAD_REPLY.value, NoticeKind.THREAD_UPDATE.value})
__all__ = ["DeliveryWorker", "Done", "ThreadGone", "WaitForThread", "backoff"]


def backoff(attempts: int, retry_after: float | None, base: float = 1.0) -> float:
    """Exponential backoff with ±20% jitter, never sooner than Retry-After."""
    delay = min(MAX_BACKOFF, base * (2 ** min(attempts, 12)))
    delay *= random.uniform(0.8, 1.2)
    return max(delay, retry_after or 0.0)


class DeliveryWorker:
    def __init__(self, services: Services, gateway: Gateway, queue: OutboxQueue,
                 threads: Threads, pacer: Pacer, max_in_flight: int = 64) -> None:
        self.s = services
        self.gateway = gateway
        self.queue = queue
        self.threads = threads
        self.pacer = pacer
        self.max_in_flight = max_in_flight
        self.retry_base = 1.0  # seconds before the first retry; doubles each time
        self.wake = asyncio.Event()
        self.in_flight: dict[int, asyncio.Task[None]] = {}
        self.stopping = False
        self.sent = 0
        self.sender = Sender(services, gateway, threads, pacer, queue)

    def nudge(self) -> None:
        self.wake.set()

    async def run(self) -> None:
        """Keep up to `max_in_flight` rows moving; a slow conversation holds only its lane."""
        while not self.stopping:
            self.wake.clear()
            try:
                free = self.max_in_flight - len(self.in_flight)
                claimed = await self._fill(free) if free > 0 else 0
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery pass failed")
                free, claimed = 1, 0
            if claimed < free or claimed == 0:
                try:
                    await asyncio.wait_for(self.wake.wait(), self.s.settings.delivery_poll_seconds)
                except TimeoutError:
                    pass

    async def _fill(self, free: int) -> int:
        rows = await self.queue.claim(self.s.clock.now(), free)
        for row in rows:
            task = asyncio.create_task(self._deliver(row), name=f"outbox-{row.id}")
            self.in_flight[row.id] = task
            task.add_done_callback(self._finished)
        return len(rows)

    def _finished(self, task: asyncio.Task[None]) -> None:
        """A row is done. Claim again only if that frees room we lacked; a row it unblocked
        behind it in its lane says so itself (see `_record`)."""
        self.in_flight.pop(int(task.get_name().removeprefix("outbox-")), None)
        if len(self.in_flight) == self.max_in_flight - 1:
            self.wake.set()

    async def run_once(self, limit: int = 50) -> bool:
        """Deliver what is due now and wait for it; True if there may be more."""
        rows = await self.queue.claim(self.s.clock.now(), limit)
        if rows:
            await asyncio.gather(*(self._deliver(r) for r in rows))
        return len(rows) == limit

    async def stop(self, grace: float = 5.0) -> None:
        """Claim nothing more, let sends under way finish, hand back what is left."""
        self.stopping = True
        self.wake.set()
        pending = list(self.in_flight.values())
        if pending:
            _done, late = await asyncio.wait(pending, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self.queue.release_claims_of([self.queue.worker_id])

    async def _deliver(self, row: OutboxRow) -> None:
        now = self.s.clock.now
        try:
            done = await self.sender.send(row)
        except WaitForThread:
            await self.queue.release(row.id, now() + timedelta(seconds=0.5))
        except ThreadGone:
            await self.queue.failed(row.id, "the case thread could not be created", now())
            self.wake.set()
        except SendError as e:
            if e.permanent:
                log.warning("outbox %s failed for good: %s", row.id, e)
                try:  # queued before the row is closed, so nothing looks settled in between
                    await self._tell_lead(row, e)
                except Exception:
                    log.exception("could not queue the delivery failure report")
                await self.queue.failed(row.id, str(e), now())
                self.wake.set()  # rows behind it in its lane may go now
            else:
                delay = backoff(row.attempts, e.retry_after, self.retry_base)
                log.info("outbox %s: %s, retry in %.1fs", row.id, e, delay)
                await self.queue.retry(row.id, str(e), now() + timedelta(seconds=delay))
        except Exception as e:  # a bug or bad data: keep the row, back off, say so in logs
            log.exception("outbox %s could not be sent", row.id)
            await self.queue.retry(row.id, f"{type(e).__name__}",
                                   now() + timedelta(seconds=backoff(row.attempts, None,
                                                                     self.retry_base)))
        else:
            await self._record(row, done)

    async def _record(self, row: OutboxRow, done: Done) -> None:
        """Teams has it: record that now. A database hiccup here is retried, because a row left
        unrecorded would be sent again once its lease ran out."""
        for attempt in range(6):
            try:
                recorded = await self.queue.sent(row.id, done.activity_id, self.s.clock.now(),
                                                 done.thread, done.direct, lane=row.lane)
                self.sent += 1
                if recorded.more_in_lane:
                    self.wake.set()
                return
            except Exception:
                if attempt == 5:
                    log.exception("outbox %s was delivered but could not be recorded", row.id)
                    raise
                await asyncio.sleep(0.2 * 2 ** attempt)

    async def _tell_lead(self, row: OutboxRow, error: SendError) -> None:
        """A message that can never be delivered is itself news for the safeguarding lead:
        in the case thread if it is there and was not what failed, else in the channel."""
        if (row.key or "").startswith("delivery-failed:"):
            return
        thread = await self.threads.get(row.case_number) if row.case_number else None
        in_thread = thread is not None and row.kind not in THREAD_KINDS
        await self.s.service.report_delivery_failure(row.case_number, row.kind, row.id,
                                                     error.status, in_thread=in_thread)
        self.nudge()

"""The delivery worker: sends outbox rows to Teams, in order per lane, paced, with retries.

Rows are leased while in flight (the lease is renewed by teams_bot/liveness.py), so a second
instance never takes them and a dead one's rows come back. A row is marked sent in the same
transaction that stores the thread or 1:1 message it created: the only moment a crash can
duplicate a message is between Teams accepting the call and that one commit.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from botbuilder.schema import Activity

from storage.outbox import OutboxQueue, OutboxRow
from storage.threads import DirectRef, ThreadRef, Threads
from tracker.errors import NotFound
from tracker.model import Case
from tracker.ports import ChannelRef, Notice, NoticeKind

from .gateway import Gateway, SendError
from .pacing import Pacer, thread_key
from .render import render
from .services import Services

log = logging.getLogger("sgtracker.delivery")
MAX_BACKOFF = 300.0
T = TypeVar("T")
THREAD_KINDS = frozenset({NoticeKind.NEW_THREAD.value, NoticeKind.CARD_UPDATE.value,
                          NoticeKind.THREAD_REPLY.value, NoticeKind.THREAD_UPDATE.value})


class WaitForThread(Exception):
    """The case thread is not there yet: try again shortly, without counting an attempt."""


class ThreadGone(Exception):
    """The case thread could not be created, for good; the lead was told at the time."""


@dataclass(frozen=True)
class Done:
    activity_id: str
    thread: ThreadRef | None = None
    direct: DirectRef | None = None


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
            done = await self._send(row)
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

    async def _paced(self, thread: str, call: Callable[[], Awaitable[T]]) -> T:
        async with self.pacer.slot(thread):
            try:
                return await call()
            except SendError as e:
                if e.status == 429:  # Teams is throttling this thread: hold all of it back
                    self.pacer.pause(thread, e.retry_after or 1.0)
                raise

    async def _case(self, number: int | None) -> Case | None:
        if number is None:
            return None
        try:
            return await self.s.service.peek(number)
        except NotFound:
            return None

    async def _send(self, row: OutboxRow) -> Done:
        notice = row.notice
        case = await self._case(row.case_number)
        kind = notice.kind
        if kind is NoticeKind.NEW_THREAD:
            return await self._new_thread(row, notice, case)
        if kind is NoticeKind.CHANNEL_POST:
            channel = notice.channel
            assert channel is not None
            activity = render(self.s, notice, case)
            posted = await self._paced(channel.channel_id,
                                       lambda: self.gateway.create_thread(channel, activity))
            return Done(posted.activity_id)
        if kind in (NoticeKind.DIRECT, NoticeKind.DIRECT_UPDATE):
            return await self._direct(row, notice, case)
        thread = await self._thread(row)
        activity = render(self.s, notice, case)
        key = thread_key(thread.conversation_id)
        if kind is NoticeKind.CARD_UPDATE:
            await self._paced(key, lambda: self.gateway.update(
                thread.service_url, thread.conversation_id, thread.activity_id, activity))
            return Done(thread.activity_id)
        if kind is NoticeKind.THREAD_UPDATE:
            return await self._update_keyed(notice, activity)
        act_id = await self._paced(key, lambda: self.gateway.reply(
            thread.service_url, thread.conversation_id, thread.activity_id, activity))
        # A keyed reply is remembered, so a THREAD_UPDATE can replace it later.
        ref = DirectRef(notice.key, thread.conversation_id, act_id, thread.service_url) \
            if notice.key else None
        return Done(act_id, direct=ref)

    async def _update_keyed(self, notice: Notice, activity: Activity) -> Done:
        """Replace a message sent earlier under the key `notice.target`, in place."""
        ref = await self.threads.get_direct(notice.target or notice.key)
        if ref is None:
            raise SendError(404, "the message to update was never sent")
        await self._paced(thread_key(ref.conversation_id), lambda: self.gateway.update(
            ref.service_url, ref.conversation_id, ref.activity_id, activity))
        return Done(ref.activity_id)

    async def _new_thread(self, row: OutboxRow, notice: Notice, case: Case | None) -> Done:
        assert row.case_number is not None and notice.channel is not None
        existing = await self.threads.get(row.case_number)
        if existing is not None:  # stored before: never open a second thread for a case
            return Done(existing.activity_id)
        channel: ChannelRef = notice.channel
        activity = render(self.s, notice, case)
        posted = await self._paced(channel.channel_id,
                                   lambda: self.gateway.create_thread(channel, activity))
        return Done(posted.activity_id, thread=ThreadRef(
            case_number=row.case_number, service_url=channel.service_url,
            tenant_id=channel.tenant_id, team_id=channel.team_id,
            channel_id=channel.channel_id, conversation_id=posted.conversation_id,
            activity_id=posted.activity_id))

    async def _thread(self, row: OutboxRow) -> ThreadRef:
        assert row.case_number is not None
        thread = await self.threads.get(row.case_number)
        if thread is None:
            if await self.queue.thread_failed(row.case_number):
                raise ThreadGone()
            raise WaitForThread()
        return thread

    async def _direct(self, row: OutboxRow, notice: Notice, case: Case | None) -> Done:
        assert notice.to is not None
        key = notice.key or f"outbox:{row.id}"
        activity = render(self.s, notice, case)
        if notice.kind is NoticeKind.DIRECT_UPDATE:
            return await self._update_keyed(notice, activity)
        existing = await self.threads.get_direct(key)
        if existing is not None:
            return Done(existing.activity_id)
        service_url, tenant = await self._home(case)
        user = notice.to.teams_id or notice.to.aad_id
        conv = self.gateway.known_direct(service_url, user)
        if conv is None:
            conv = await self._paced(f"1on1:{user}", lambda: self.gateway.open_direct(
                service_url, tenant, user))
        act_id = await self._paced(conv, lambda: self.gateway.send(service_url, conv, activity))
        return Done(act_id, direct=DirectRef(key, conv, act_id, service_url))

    async def _home(self, case: Case | None) -> tuple[str, str]:
        """Service URL and tenant for a proactive 1:1: the case's channel, else any install."""
        if case is not None:
            thread = await self.threads.get(case.number)
            if thread is not None:
                return thread.service_url, thread.tenant_id
        channels = await self.s.service.all_channels()
        if channels:
            return channels[0].service_url, channels[0].tenant_id
        raise SendError(404, "the bot is not installed anywhere yet")

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

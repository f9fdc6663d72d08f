"""The delivery worker: sends outbox rows to Teams, in order per lane, paced, with retries."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta

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


class WaitForThread(Exception):
    """The case thread is not there yet: try again shortly, without counting an attempt."""


def backoff(attempts: int, retry_after: float | None, base: float = 1.0) -> float:
    """Exponential backoff with ±20% jitter, never sooner than Retry-After."""
    delay = min(MAX_BACKOFF, base * (2 ** min(attempts, 12)))
    delay *= random.uniform(0.8, 1.2)
    return max(delay, retry_after or 0.0)


class DeliveryWorker:
    def __init__(self, services: Services, gateway: Gateway, queue: OutboxQueue,
                 threads: Threads, pacer: Pacer) -> None:
        self.s = services
        self.gateway = gateway
        self.queue = queue
        self.threads = threads
        self.pacer = pacer
        self.wake = asyncio.Event()
        self.sent = 0

    def nudge(self) -> None:
        self.wake.set()

    async def run(self) -> None:
        while True:
            try:
                busy = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery pass failed")
                busy = False
            if not busy:
                self.wake.clear()
                try:
                    await asyncio.wait_for(self.wake.wait(), self.s.settings.delivery_poll_seconds)
                except TimeoutError:
                    pass

    async def run_once(self, limit: int = 50) -> bool:
        """Deliver what is due now; True if there may be more."""
        rows = await self.queue.claim(self.s.clock.now(), limit)
        if rows:
            await asyncio.gather(*(self._deliver(r) for r in rows))
        return len(rows) == limit

    async def _deliver(self, row: OutboxRow) -> None:
        now = self.s.clock.now
        try:
            activity_id = await self._send(row)
        except WaitForThread:
            await self.queue.release(row.id, now() + timedelta(seconds=0.5))
        except SendError as e:
            if e.permanent:
                log.warning("outbox %s failed for good: %s", row.id, e)
                await self.queue.failed(row.id, str(e), now())
                await self._tell_lead(row, e)
            else:
                delay = backoff(row.attempts, e.retry_after)
                log.info("outbox %s: %s, retry in %.1fs", row.id, e, delay)
                await self.queue.retry(row.id, str(e), now() + timedelta(seconds=delay))
        except Exception as e:  # a bug or bad data: keep the row, back off, say so in logs
            log.exception("outbox %s could not be sent", row.id)
            await self.queue.retry(row.id, f"{type(e).__name__}",
                                   now() + timedelta(seconds=backoff(row.attempts, None)))
        else:
            await self.queue.sent(row.id, activity_id, now())
            self.sent += 1

    async def _case(self, number: int | None) -> Case | None:
        if number is None:
            return None
        try:
            return await self.s.service.peek(number)
        except NotFound:
            return None

    async def _send(self, row: OutboxRow) -> str:
        notice = row.notice
        case = await self._case(row.case_number)
        kind = notice.kind
        if kind is NoticeKind.NEW_THREAD:
            return await self._new_thread(row, notice, case)
        if kind is NoticeKind.CHANNEL_POST:
            assert notice.channel is not None
            await self.pacer.acquire(notice.channel.channel_id)
            posted = await self.gateway.create_thread(notice.channel,
                                                      render(self.s, notice, case))
            return posted.activity_id
        if kind in (NoticeKind.DIRECT, NoticeKind.DIRECT_UPDATE):
            return await self._direct(row, notice, case)
        thread = await self._thread(row)
        activity = render(self.s, notice, case)
        await self.pacer.acquire(thread_key(thread.conversation_id))
        if kind is NoticeKind.CARD_UPDATE:
            await self.gateway.update(thread.service_url, thread.conversation_id,
                                      thread.activity_id, activity)
            return thread.activity_id
        return await self.gateway.reply(thread.service_url, thread.conversation_id,
                                        thread.activity_id, activity)

    async def _new_thread(self, row: OutboxRow, notice: Notice, case: Case | None) -> str:
        assert row.case_number is not None and notice.channel is not None
        existing = await self.threads.get(row.case_number)
        if existing is not None:  # sent before a crash, or by another instance
            return existing.activity_id
        channel: ChannelRef = notice.channel
        await self.pacer.acquire(channel.channel_id)
        posted = await self.gateway.create_thread(channel, render(self.s, notice, case))
        saved = await self.threads.save(ThreadRef(
            case_number=row.case_number, service_url=channel.service_url,
            tenant_id=channel.tenant_id, team_id=channel.team_id,
            channel_id=channel.channel_id, conversation_id=posted.conversation_id,
            activity_id=posted.activity_id))
        return saved.activity_id

    async def _thread(self, row: OutboxRow) -> ThreadRef:
        assert row.case_number is not None
        thread = await self.threads.get(row.case_number)
        if thread is None:
            if await self._thread_failed(row.case_number):
                raise SendError(404, "the case thread could not be created")
            raise WaitForThread()
        return thread

    async def _thread_failed(self, number: int) -> bool:
        failed = await self.queue.listing(("failed",), limit=1000)
        return any(r.case_number == number and r.kind == NoticeKind.NEW_THREAD.value
                   for r in failed)

    async def _direct(self, row: OutboxRow, notice: Notice, case: Case | None) -> str:
        assert notice.to is not None
        key = notice.key or f"outbox:{row.id}"
        activity = render(self.s, notice, case)
        if notice.kind is NoticeKind.DIRECT_UPDATE:
            ref = await self.threads.get_direct(key)
            if ref is None:
                raise SendError(404, "no earlier 1:1 message to update")
            await self.pacer.acquire(ref.conversation_id)
            await self.gateway.update(ref.service_url, ref.conversation_id, ref.activity_id,
                                      activity)
            return ref.activity_id
        existing = await self.threads.get_direct(key)
        if existing is not None:
            return existing.activity_id
        service_url, tenant = await self._home(case)
        conv = await self.gateway.open_direct(service_url, tenant,
                                              notice.to.teams_id or notice.to.aad_id)
        await self.pacer.acquire(conv)
        act_id = await self.gateway.send(service_url, conv, activity)
        await self.threads.save_direct(DirectRef(key, conv, act_id, service_url))
        return act_id

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
        """A message that can never be delivered is itself news for the safeguarding lead."""
        if (row.key or "").startswith("delivery-failed:"):
            return
        await self.s.service.report_delivery_failure(row.case_number, row.kind, row.id,
                                                     error.status)
        self.nudge()

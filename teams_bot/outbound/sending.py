"""How each kind of outbox row reaches Teams: a new case thread, a reply or card update in it, a
1:1 message, a channel post, an in-place update of a keyed message. Paced, and a 429 holds back
the whole conversation. What the calls created is returned for the worker to record."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from storage.outbox import OutboxQueue, OutboxRow
from storage.threads import DirectRef, ThreadRef, Threads
from teams_bot.outbound.gateway import Gateway, SendError
from teams_bot.outbound.pacing import Pacer, thread_key
from teams_bot.outbound.render import Activity, render
from teams_bot.services import Services
from tracker.errors import NotFound
from tracker.model import Case
from tracker.ports import ChannelRef, Notice, NoticeKind

T = TypeVar("T")


class WaitForThread(Exception):
    """The case thread is not there yet: try again shortly, without counting an attempt."""


class ThreadGone(Exception):
    """The case thread could not be created, for good; the lead was told at the time."""


@dataclass(frozen=True)
class Done:
    activity_id: str
    thread: ThreadRef | None = None
    direct: DirectRef | None = None


class Sender:
    def __init__(self, services: Services, gateway: Gateway, threads: Threads, pacer: Pacer,
                 queue: OutboxQueue) -> None:
        self.s = services
        self.gateway = gateway
        self.threads = threads
        self.pacer = pacer
        self.queue = queue

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

    async def send(self, row: OutboxRow) -> Done:
        """Make the Teams call(s) for one row; raise what went wrong."""
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

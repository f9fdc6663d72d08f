"""Pacing within Teams' published limits: sliding windows per thread and per tenant.

Teams allows a bot 7 sends per second, 8 per 2 s, 60 per 30 s and 1800 per hour in one thread,
and 50 requests per second per tenant. The limits are configuration (TRACKER_THREAD_RPS scales
the thread windows, TRACKER_TENANT_RPS sets the tenant one); with several instances running,
each takes its share. A send holds its place from the moment it starts until Teams answers, so
network jitter cannot push a burst over the line, and a 429 pauses the thread for Retry-After.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

MARGIN = 0.01  # seconds added to every window, against rounding
BUSY_POLL = 0.01
THREAD_WINDOWS = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))


class Window:
    """At most `limit` sends in any `seconds` window (sliding). A send counts from the moment it
    starts until its answer arrives, then is stamped with that time: Teams saw it somewhere in
    between, so counting it at the end can only over-count, never under-count."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self.stamps: deque[float] = deque()
        self.in_flight = 0

    def wait_time(self, now: float) -> float:
        while self.stamps and now - self.stamps[0] >= self.seconds:
            self.stamps.popleft()
        excess = len(self.stamps) + self.in_flight - self.limit + 1
        if excess <= 0:
            return 0.0
        if excess > len(self.stamps):
            return BUSY_POLL  # all the room is taken by sends still under way
        return self.stamps[excess - 1] + self.seconds - now

    def take(self) -> None:
        self.in_flight += 1

    def done(self, now: float) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        if not self.stamps or now >= self.stamps[-1]:
            self.stamps.append(now)  # the usual case, without a search through the deque
        else:
            bisect.insort(self.stamps, now)


class Pacer:
    """Waits as needed so each thread and the tenant stay within their limits."""

    def __init__(self, thread_rps: float = 7.0, tenant_rps: float = 50.0) -> None:
        self.thread_rps, self.tenant_rps = thread_rps, tenant_rps
        self.share = 1
        self._threads: dict[str, list[Window]] = {}
        self._paused: dict[str, float] = {}
        self._tenant = Window(1, 1.0)
        self._lock = asyncio.Lock()
        self.set_share(1)

    def _limits(self) -> list[tuple[int, float]]:
        scale = self.thread_rps / 7.0 / self.share
        return [(max(1, int(n * scale)), s + MARGIN) for n, s in THREAD_WINDOWS]

    def set_share(self, instances: int) -> None:
        """Several instances send for one bot: each keeps to 1/n of every limit."""
        self.share = max(1, instances)
        limits = self._limits()
        for windows in self._threads.values():
            for w, (n, _s) in zip(windows, limits, strict=True):
                w.limit = n
        self._tenant.limit = max(1, int(self.tenant_rps / self.share))
        self._tenant.seconds = 1.0 + MARGIN

    def _windows(self, thread: str) -> list[Window]:
        if thread not in self._threads:
            self._threads[thread] = [Window(n, s) for n, s in self._limits()]
        return self._threads[thread]

    def pause(self, thread: str, seconds: float) -> None:
        """Teams said 429 with Retry-After: send nothing more to this thread until then."""
        until = time.monotonic() + seconds
        self._paused[thread] = max(self._paused.get(thread, 0.0), until)

    @asynccontextmanager
    async def slot(self, thread: str) -> AsyncIterator[None]:
        """Wait for room in `thread` and the tenant, then hold it while the send is made."""
        windows = await self._acquire(thread)
        try:
            yield
        finally:
            now = time.monotonic()
            for w in windows:
                w.done(now)

    async def reserve(self, thread: str, lead: float = 0.05) -> None:
        """Room for one send that is about to be made elsewhere (a reply within a turn):
        counted as if Teams saw it `lead` seconds from now."""
        windows = await self._acquire(thread)
        stamp = time.monotonic() + lead
        for w in windows:
            w.done(stamp)

    async def _acquire(self, thread: str) -> list[Window]:
        while True:
            async with self._lock:
                now = time.monotonic()
                windows = [*self._windows(thread), self._tenant]
                wait = max(w.wait_time(now) for w in windows)
                wait = max(wait, self._paused.get(thread, 0.0) - now)
                if wait <= 0:
                    for w in windows:
                        w.take()
                    self._paused.pop(thread, None)
                    return windows
            await asyncio.sleep(wait)

    def forget_idle(self, older_than: float = 3600.0) -> None:
        """Drop windows of threads not used for an hour, so memory stays flat."""
        now = time.monotonic()
        for key in [k for k, ws in self._threads.items()
                    if not ws[-1].in_flight and (
                        not ws[-1].stamps or now - ws[-1].stamps[-1] > older_than)]:
            del self._threads[key]


def thread_key(conversation_id: str) -> str:
    """Teams counts a channel thread against its channel."""
    return conversation_id.split(";messageid=")[0]

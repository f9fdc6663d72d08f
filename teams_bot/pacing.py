"""Pacing within Teams' published limits: per thread and per tenant, as token buckets."""

from __future__ import annotations

import asyncio
import time
from collections import deque


class Window:
    """At most `limit` events in any `seconds` window (sliding)."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self.stamps: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        while self.stamps and now - self.stamps[0] >= self.seconds:
            self.stamps.popleft()
        if len(self.stamps) < self.limit:
            return 0.0
        return self.stamps[0] + self.seconds - now

    def take(self, now: float) -> None:
        self.stamps.append(now)


class Pacer:
    """Waits as needed so each conversation stays within 7/s, 8/2s, 60/30s and 1800/h, and the
    tenant within its requests per second. Limits are configuration."""

    def __init__(self, thread_rps: float = 7.0, tenant_rps: float = 50.0) -> None:
        self.thread_rps, self.tenant_rps = thread_rps, tenant_rps
        scale = thread_rps / 7.0
        self._thread_limits = [(max(1, round(7 * scale)), 1.0), (max(1, round(8 * scale)), 2.0),
                               (max(1, round(60 * scale)), 30.0),
                               (max(1, round(1800 * scale)), 3600.0)]
        self._threads: dict[str, list[Window]] = {}
        self._tenant = Window(max(1, int(tenant_rps)), 1.0)
        self._lock = asyncio.Lock()

    def _windows(self, thread: str) -> list[Window]:
        if thread not in self._threads:
            self._threads[thread] = [Window(n, s) for n, s in self._thread_limits]
        return self._threads[thread]

    async def acquire(self, thread: str) -> None:
        while True:
            async with self._lock:
                now = time.monotonic()
                windows = [*self._windows(thread), self._tenant]
                wait = max(w.wait_time(now) for w in windows)
                if wait <= 0:
                    for w in windows:
                        w.take(now)
                    return
            await asyncio.sleep(wait)


def thread_key(conversation_id: str) -> str:
    """Teams counts a channel thread against its channel."""
    return conversation_id.split(";messageid=")[0]

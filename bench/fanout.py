"""(c) Fan-out: 500 notifications across 50 case threads, delivered by the real delivery worker
(default limits: 7 per second per thread, 50 per second per tenant) to the emulator enforcing
Teams' limits with 429s. Reports the rate achieved against the rate allowed, and the 429s.

The allowed rate: 50 threads at 7/s each could take 350/s, so the tenant's 50/s binds. Under a
sliding one-second window, N messages need at least N/50 windows, so the effective rate is
N / (time from the first send to the last + 1 s), compared with 50/s.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from storage.threads import ThreadRef
from teams_bot.http import keys as K
from teams_bot.settings import Settings
from tests.support.emulator import ConnectorEmulator
from tests.support.harness import start_bot
from tracker.clock import SystemClock
from tracker.ports import Notice, NoticeKind


@dataclass(frozen=True)
class FanoutResult:
    notifications: int
    threads: int
    first_to_last: float
    throttled: int
    allowed_per_second: float

    @property
    def effective_rate(self) -> float:
        return self.notifications / (self.first_to_last + 1.0)

    @property
    def fraction(self) -> float:
        return self.effective_rate / self.allowed_per_second


async def run_fanout(work: Path, notifications: int = 500, threads: int = 50) -> FanoutResult:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{work / 'fanout.db'}",
                        working_hours=None, delivery_poll_seconds=0.05)
    async with ConnectorEmulator() as emu:
        emu.enforce_limits()
        bot = await start_bot(settings, SystemClock())  # type: ignore[arg-type]
        try:
            services = bot.app[K.SERVICES]
            await _threads(bot, emu, threads)
            start = len(emu.calls)
            async with services.service.uow() as uow:  # as the use cases would, in one go
                for i in range(notifications):
                    await uow.outbox.enqueue(Notice(
                        NoticeKind.THREAD_REPLY, 1 + i % threads,
                        text=f"Reminder {i // threads + 1} for case {1 + i % threads}."))
                await uow.commit()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                ok = [c for c in emu.calls[start:] if c.ok and c.kind == "reply"]
                if len(ok) >= notifications:
                    break
                await asyncio.sleep(0.05)
            ok = [c for c in emu.calls[start:] if c.ok and c.kind == "reply"]
            throttled = sum(1 for c in emu.calls[start:] if c.status == 429)
        finally:
            await bot.stop()
    span = ok[-1].at - ok[0].at if len(ok) > 1 else 0.0
    return FanoutResult(len(ok), threads, span, throttled, settings.tenant_rps)


async def _threads(bot: object, emu: ConnectorEmulator, threads: int) -> None:
    """One case thread per notification target, each in its own channel (so the tenant limit,
    not one channel's, is what binds), stored as delivered threads are."""
    store = bot.app[K.DELIVERY].threads  # type: ignore[attr-defined]
    for n in range(1, threads + 1):
        channel = f"19:fanout{n}@thread.tacv2"
        root = emu._record(f"{channel};messageid=root{n}", {"type": "message", "text": "root"})
        await store.save(ThreadRef(n, emu.url, emu.tenant_id, emu.team.id, channel,
                                   f"{channel};messageid={root}", root))

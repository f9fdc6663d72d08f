"""The bot and the emulator running on their own event loop in a background thread, so that
synchronous tests (Hypothesis drives those) can post to them many times over real HTTP."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiohttp

from teams_bot.settings import Settings

from .emulator import ConnectorEmulator
from .harness import Driver, RunningBot, start_bot
from .reliability import API_KEY, FlowingClock, incident, intake

T = TypeVar("T")


class BackgroundBot:
    """`with BackgroundBot(tmp_path) as bg:` a set-up team with `cases` cases, ready to drive."""

    def __init__(self, tmp: Path, cases: int = 2) -> None:
        self.db = f"sqlite+aiosqlite:///{tmp / 'tracker.db'}"
        self.cases = cases
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.emu: ConnectorEmulator
        self.bot: RunningBot
        self.driver: Driver
        self.session: aiohttp.ClientSession
        self.roots: dict[int, str] = {}

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:  # noqa: ASYNC109
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _start(self) -> None:
        self.emu = await ConnectorEmulator().start()
        settings = Settings(database_url=self.db, intake_api_key=API_KEY, working_hours=None,
                            delivery_poll_seconds=0.05, tick_seconds=0.5, intake_per_minute=0,
                            thread_rps=1000, tenant_rps=1000)  # many answers in one channel
        self.bot = await start_bot(settings, FlowingClock(datetime(2026, 11, 24, 10, 0,
                                                                   tzinfo=UTC)))
        self.session = aiohttp.ClientSession()
        self.driver = Driver(self.bot, self.emu, self.session, self.emu.team)
        await self.driver.setup_team("Lena Lead")
        for i in range(self.cases):
            status, body = await intake(self.session, self.bot.url, incident(i, steis=i % 2 == 0))
            assert status == 201, body
            number = int(body["case_number"])
            self.roots[number] = (await self.driver.thread_of_case(number)).activity_id

    async def _stop(self) -> None:
        await self.session.close()
        await self.bot.stop()
        await self.emu.stop()

    def __enter__(self) -> BackgroundBot:
        self.thread.start()
        self.run(self._start(), timeout=60)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.run(self._stop(), timeout=60)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()

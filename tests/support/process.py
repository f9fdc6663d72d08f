"""`sgtracker serve` as a real operating-system process, for crash and multi-instance tests."""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import outbox

from .emulator import Call, ConnectorEmulator, adaptive_card
from .harness import card_title, free_port
from .reliability import API_KEY

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Serve:
    """One `sgtracker serve` process on a free port; its log goes to `log_path`."""

    database_url: str
    log_path: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": self.database_url, "HOST": "127.0.0.1",
                "PORT": str(self.port), "INTAKE_API_KEY": API_KEY, "TRACKER_TICK_SECONDS": "0.2",
                "TRACKER_WORKING_HOURS": "always", "TRACKER_INTAKE_PER_MINUTE": "0",
                **self.extra_env}

    async def start(self, timeout: float = 30.0) -> Serve:  # noqa: ASYNC109
        log = self.log_path.open("ab")
        self.proc = await asyncio.to_thread(
            subprocess.Popen, [sys.executable, "-m", "teams_bot.cli", "serve"], cwd=ROOT,
            env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise AssertionError(f"serve exited early:\n{self.log()}")
                try:
                    async with session.get(self.url + "/healthz") as r:
                        if r.status == 200:
                            return self
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"serve did not come up:\n{self.log()}")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    async def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            await asyncio.to_thread(self.proc.wait, 20)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


async def sgtracker(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "teams_bot.cli", *args], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=120)


async def outbox_rows(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return list(await conn.execute(select(outbox).order_by(outbox.c.id)))


def wall_offset() -> float:
    """Add to an emulator `Call.at` (monotonic) to get a Unix time."""
    return time.time() - time.monotonic()


def case_titles(calls: list[Call]) -> Counter[str]:
    """'Case N' for every thread created among `calls` (a duplicate counts twice)."""
    return Counter(card_title(adaptive_card(c.activity) or {}).split(" ·")[0] for c in calls
                   if c.ok and c.kind == "create" and ";messageid=" in (c.conversation_id or ""))


def thread_of(rows: list[Any], case_number: int) -> str:
    thread = next(r for r in rows if r.kind == "new_thread" and r.case_number == case_number)
    return str(thread.payload["channel"]["channel_id"]) + ";messageid=" + thread.activity_id


def check_nothing_lost_and_doubles(emu: ConnectorEmulator, rows: list[Any], cases: int,
                                   in_flight: set[int], before: list[Call]) -> int:
    """Every case has its thread (and its reply, if it had one queued): nothing was lost. A
    message appears twice only if its row was in flight at the kill and Teams already had it
    (the one window we cannot close). Returns how many messages were doubled."""
    assert all(r.status == "sent" for r in rows), [(r.id, r.status, r.last_error) for r in rows]
    titles = case_titles(emu.calls)
    assert set(titles) == {f"Case {n}" for n in range(1, cases + 1)}, titles
    replies = Counter(c.conversation_id for c in emu.messages() if c.kind == "reply"
                      and ";messageid=" in (c.conversation_id or ""))
    queued = {r.case_number for r in rows if r.kind == "thread_reply"}
    assert {thread_of(rows, n) for n in queued} == set(replies), "a reply was lost"
    in_flight_cases = {r.case_number for r in rows if r.id in in_flight}
    had = case_titles(before)
    had_reply = {c.conversation_id for c in before if c.kind == "reply"}
    doubled = 0
    for n in range(1, cases + 1):
        if titles[f"Case {n}"] > 1:
            assert n in in_flight_cases and had[f"Case {n}"], f"case {n}'s thread doubled"
            doubled += titles[f"Case {n}"] - 1
        if n in queued and replies[thread_of(rows, n)] > 1:
            assert n in in_flight_cases and thread_of(rows, n) in had_reply, \
                f"case {n}'s reply doubled"
            doubled += replies[thread_of(rows, n)] - 1
    assert doubled <= len(in_flight)
    return doubled


def recording_window(emu: ConnectorEmulator, rows: list[Any]) -> tuple[float, float]:
    """Seconds from Teams accepting a message to its row being marked sent: p50 and max."""
    offset = wall_offset()
    accepted = {c.activity_id: c.at + offset for c in emu.calls if c.ok and c.activity_id
                and c.kind in ("create", "reply", "send")}
    gaps = [r.sent_at.timestamp() - accepted[r.activity_id] for r in rows
            if r.sent_at and r.activity_id in accepted]
    return statistics.median(gaps), max(gaps)

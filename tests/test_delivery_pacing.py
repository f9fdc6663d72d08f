"""Pacing within Teams' limits, measured on real time: per thread, per tenant, shared between
instances, and held back after a 429."""

from __future__ import annotations

import asyncio
import time

from teams_bot.outbound.pacing import Pacer, Window


def most_in_any(stamps: list[float], seconds: float) -> int:
    stamps = sorted(stamps)
    best, j = 0, 0
    for i, t in enumerate(stamps):
        while stamps[j] <= t - seconds:
            j += 1
        best = max(best, i - j + 1)
    return best


async def burst(pacer: Pacer, threads: list[str], n: int, rtt: float = 0.002) -> list[float]:
    """`n` sends spread over `threads`; returns when each one reached 'Teams'."""
    arrived: list[float] = []

    async def send(i: int) -> None:
        async with pacer.slot(threads[i % len(threads)]):
            await asyncio.sleep(rtt / 2)
            arrived.append(time.monotonic())
            await asyncio.sleep(rtt / 2)

    await asyncio.gather(*(send(i) for i in range(n)))
    return arrived


def test_window_counts_sends_under_way() -> None:
    w = Window(3, 1.0)
    assert w.wait_time(0.0) == 0.0
    w.take()
    w.take()
    w.take()
    assert w.wait_time(0.0) > 0  # three under way fill it
    w.done(0.1)
    w.done(0.2)
    w.done(0.3)
    assert abs(w.wait_time(0.5) - 0.6) < 1e-9  # the first answer leaves the window at 1.1
    assert w.wait_time(1.15) == 0.0


async def test_one_thread_keeps_to_its_windows() -> None:
    pacer = Pacer(thread_rps=70, tenant_rps=10_000)  # ten times Teams' 7/s, to keep this quick
    arrived = await burst(pacer, ["19:a"], 130)
    assert most_in_any(arrived, 1.0) <= 70
    assert most_in_any(arrived, 2.0) <= 80
    span = max(arrived) - min(arrived)
    assert span >= 1.9  # 130 sends need three 1-second windows at 70/s (and 80 per 2s)


async def test_the_tenant_limit_holds_across_threads() -> None:
    pacer = Pacer(thread_rps=7, tenant_rps=60)
    arrived = await burst(pacer, [f"19:t{i}" for i in range(30)], 150)
    assert most_in_any(arrived, 1.0) <= 60
    assert max(arrived) - min(arrived) >= 2.0


async def test_two_instances_each_take_half() -> None:
    pacer = Pacer(thread_rps=7, tenant_rps=60)
    pacer.set_share(2)
    arrived = await burst(pacer, [f"19:t{i}" for i in range(30)], 60)
    assert most_in_any(arrived, 1.0) <= 30
    pacer.set_share(1)
    assert pacer._tenant.limit == 60


async def test_a_429_pauses_the_thread_but_not_the_others() -> None:
    pacer = Pacer()
    pacer.pause("19:busy", 0.5)
    t0 = time.monotonic()
    async with pacer.slot("19:quiet"):
        assert time.monotonic() - t0 < 0.1
    async with pacer.slot("19:busy"):
        assert time.monotonic() - t0 >= 0.5


async def test_idle_threads_are_forgotten() -> None:
    pacer = Pacer()
    async with pacer.slot("19:old"):
        pass
    pacer.forget_idle(older_than=0.0)
    assert "19:old" not in pacer._threads

"""Simulated Teams users over real HTTP: each user posts an activity, waits for the answer, and
posts the next, for a fixed time. Measures throughput and latency percentiles."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests.support.teams import Team, User, card_invoke, channel_message, personal_message

from .common import percentile

VERSION = re.compile(rb'"version":\s*(\d+)')
TRIAGED = re.compile(rb'Case \d+ triaged:')


@dataclass(frozen=True)
class Level:
    users: int
    done: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


@dataclass
class Scene:
    """Where the simulated users are: the emulator they send from and their team."""

    emu_url: str
    team: Team
    users: list[User]
    cases: list[list[int]]  # each user's own cases: `case N` asks for the first, clicks rotate
    thread_root: str = "0"
    # The version each case card shows, as the users' Teams clients hold it (the card is kept
    # up to date in Teams), so one level's clicks do not start from stale cards.
    versions: dict[int, int] = field(default_factory=dict)


Maker = Callable[[Scene, int, dict[str, Any]], dict[str, Any]]


def case_message(scene: Scene, i: int, state: dict[str, Any]) -> dict[str, Any]:
    """`case N` in the user's 1:1 chat with the bot (the reply is the case card)."""
    user = scene.users[i]
    return personal_message(f"case {scene.cases[i][0]}", user, service_url=scene.emu_url,
                            team=scene.team, id=str(uuid.uuid4()))


def channel_case_message(scene: Scene, i: int, state: dict[str, Any]) -> dict[str, Any]:
    """`@bot case N` in the team's safeguarding channel (the reply is the case card there)."""
    user = scene.users[i]
    return channel_message(f"case {scene.cases[i][0]}", user, service_url=scene.emu_url,
                           team=scene.team, channel_id=scene.team.safeguarding_channel_id,
                           id=str(uuid.uuid4()))


def echo_message(scene: Scene, i: int, state: dict[str, Any]) -> dict[str, Any]:
    return case_message(scene, i, state)


def triage_click(scene: Scene, i: int, state: dict[str, Any]) -> dict[str, Any]:
    """An Action.Execute click on a case card: triage one of the user's cases (in turn), with
    the version the card showed. A real decision: event, new version, outbox card update."""
    mine = scene.cases[i]
    state["n"] = state.get("n", -1) + 1
    case = mine[state["n"] % len(mine)]
    state["case"] = case
    versions = state.setdefault("versions", scene.versions)
    data = {"verb": "triage", "case": case, "version": versions.get(case, 1),
            "level": "case_review"}
    return card_invoke("triage", data, scene.users[i],
                       conversation=f"{scene.team.safeguarding_channel_id};messageid="
                                    f"{scene.thread_root}",
                       reply_to_id=scene.thread_root, service_url=scene.emu_url, team=scene.team)


def _after(kind: Maker, body: bytes, state: dict[str, Any]) -> bool:
    """Follow the card's version after a click; True if the answer is what we expected."""
    if kind is triage_click:
        found = VERSION.findall(body)
        if found:
            state["versions"][state["case"]] = max(int(v) for v in found)
        return TRIAGED.search(body) is not None  # a refusal shows the card too: not done
    return True


async def drive(url: str, scene: Scene, make: Maker, users: int, seconds: float,
                warmup: float = 1.0) -> Level:
    """`users` users, each posting and waiting, for `seconds` (after `warmup`)."""
    connector = aiohttp.TCPConnector(limit=users + 5)
    states: list[dict[str, Any]] = [{} for _ in range(users)]
    latencies: list[float] = []
    errors = 0
    async with aiohttp.ClientSession(connector=connector) as session:

        async def run_for(duration: float, record: bool) -> float:
            nonlocal errors
            stop = time.monotonic() + duration
            last = time.monotonic()

            async def user(i: int) -> None:
                nonlocal errors, last
                while time.monotonic() < stop:
                    body = json.dumps(make(scene, i, states[i]))
                    t0 = time.perf_counter()
                    async with session.post(url + "/api/messages", data=body, headers={
                            "Content-Type": "application/json"}) as r:
                        payload = await r.read()
                        ok = r.status < 400
                    took = time.perf_counter() - t0
                    ok = _after(make, payload, states[i]) and ok
                    if record:
                        last = time.monotonic()
                        if ok:
                            latencies.append(took)
                        else:
                            errors += 1

            start = time.monotonic()
            await asyncio.gather(*(user(i) for i in range(users)))
            return last - start

        await run_for(warmup, record=False)
        elapsed = await run_for(seconds, record=True)
    if not latencies:
        return Level(users, 0, errors, elapsed, 0.0, 0.0)
    return Level(users, len(latencies), errors, elapsed, percentile(latencies, 50) * 1000,
                 percentile(latencies, 99) * 1000)

"""(a) Inbound: our bot, a bare botbuilder echo bot and an 'ideal' aiohttp bot, each in its own
process, driven by simulated users over real HTTP with the emulator (also its own process) as
Bot Connector. Same machine, same run."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from tests.support.teams import (
    Team,
    User,
    channel_message,
    conversation_update_bot_added,
    installation_update,
    make_team,
)

from .common import Child
from .load import (
    Level,
    Scene,
    case_message,
    channel_case_message,
    drive,
    echo_message,
    triage_click,
)

API_KEY = "bench-intake-key-0123456789"
CAPACITY = {"TRACKER_TENANT_RPS": "10000", "TRACKER_THREAD_RPS": "10000"}


@dataclass
class InboundResult:
    levels: tuple[int, ...]
    edge: str = "botbuilder"  # TRACKER_SDK: the SDK that checks who sent each activity
    ours_messages: dict[int, Level] = field(default_factory=dict)  # `case N` in a 1:1 chat
    ours_channel: dict[int, Level] = field(default_factory=dict)  # `@bot case N` in the channel
    ours_clicks: dict[int, Level] = field(default_factory=dict)
    echo: dict[int, Level] = field(default_factory=dict)
    ideal: dict[int, Level] = field(default_factory=dict)
    paced: Level | None = None  # ours at Teams' default limits
    paced_throttled: int = 0
    paced_users: int = 0


async def stats(emu: Child) -> dict:  # type: ignore[type-arg]
    async with aiohttp.ClientSession() as s, s.get(emu.url + "/_stats") as r:
        return await r.json()  # type: ignore[no-any-return]


async def seed(bot: Child, emu: Child, team: Team, users: list[User],
               per_user: int) -> Scene:
    """Install, set up the channel, and log `per_user` cases for each user (so no case piles
    up an unrealistic history of clicks); wait until every case thread is in Teams."""
    lead = users[0]
    async with aiohttp.ClientSession() as s:
        async def post(act: dict) -> None:  # type: ignore[type-arg]
            async with s.post(bot.url + "/api/messages", json=act) as r:
                assert r.status < 400, await r.text()

        await post(installation_update("add", service_url=emu.url, team=team))
        await post(conversation_update_bot_added(service_url=emu.url, team=team))
        await post(channel_message("setup", lead, service_url=emu.url, team=team,
                                   channel_id=team.safeguarding_channel_id))
        cases: list[list[int]] = [[] for _ in users]
        for i in range(len(users) * per_user):
            body = {"reported_by": "Riverside NHS Foundation Trust", "locality": "Devon",
                    "incident_date": "2026-11-20", "summary": f"Bench incident {i}.",
                    "steis_number": f"2026/{50000 + i}"}
            async with s.post(bot.url + "/api/incidents", data=json.dumps(body), headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {API_KEY}"}) as r:
                cases[i % len(users)].append(int((await r.json())["case_number"]))
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        created = (await stats(emu))["by_kind"].get("create:201", 0)
        if created >= len(users) * per_user:
            break
        await asyncio.sleep(0.2)
    return Scene(emu.url, team, users, cases)


def edge_missing(sdk: str) -> str | None:
    """Why the SDK edge `sdk` cannot run from this checkout, or None if it can."""
    from importlib.util import find_spec

    from teams_bot.http.edges import EDGES

    if sdk not in EDGES:
        return f"`{sdk}` is not an SDK edge this bot knows ({', '.join(EDGES)})"
    module = EDGES[sdk][0]
    if find_spec(module) is None:
        return f"its folder ({module.replace('.', '/')}/) is not in this checkout yet"
    return None


def bot_env(url: str, users: list[User], limits: dict[str, str],
            sdk: str = "botbuilder") -> dict[str, str]:
    return {"DATABASE_URL": url, "HOST": "127.0.0.1", "TRACKER_SDK": sdk,
            "PORT": "{port}", "INTAKE_API_KEY": API_KEY, "TRACKER_INTAKE_PER_MINUTE": "0",
            "TRACKER_WORKING_HOURS": "always",
            "TRACKER_ADMINS": ",".join(u.aad_object_id for u in users), **limits}


async def ours(work: Path, users_needed: int, per_user: int, limits: dict[str, str],
               emu_args: list[str], database_url: str | None = None, sdk: str = "botbuilder",
               ) -> tuple[Child, Child, Scene]:
    """Our bot in its own process, with the emulator, seeded for `users_needed` users, on a
    fresh SQLite file or the (empty, migrated) PostgreSQL database given."""
    emu = await Child(["-m", "bench.emulator_server", "{port}", *emu_args],
                      work / "emulator.log").start("/_stats")
    team = make_team()
    users = [User(f"Bench User {i}") for i in range(users_needed)]
    url = database_url or f"sqlite+aiosqlite:///{work / f'tracker-{time.monotonic_ns()}.db'}"
    bot = Child(["-m", "teams_bot.cli", "serve"], work / "bot.log")
    bot.env = {k: v.replace("{port}", str(bot.port)) for k, v in
               bot_env(url, users, limits, sdk).items()}
    try:
        await bot.start("/healthz")
        scene = await seed(bot, emu, team, users, per_user)
    except BaseException:
        bot.stop()
        emu.stop()
        raise
    return bot, emu, scene


async def run_ours(work: Path, levels: tuple[int, ...], seconds: float, per_user: int,
                   out: InboundResult, database_url: str | None = None) -> None:
    """Ours at each level: `case N` in a 1:1 chat and in the channel, then card clicks."""
    bot, emu, scene = await ours(work, max(levels), per_user, CAPACITY, [], database_url,
                                 out.edge)
    try:
        for n in levels:
            out.ours_messages[n] = await drive(bot.url, scene, case_message, n, seconds)
            out.ours_channel[n] = await drive(bot.url, scene, channel_case_message, n, seconds)
            out.ours_clicks[n] = await drive(bot.url, scene, triage_click, n, seconds)
    finally:
        bot.stop()
        emu.stop()


async def run_references(work: Path, scene_users: int, levels: tuple[int, ...], seconds: float,
                         out: InboundResult) -> None:
    team = make_team()
    users = [User(f"Bench User {i}") for i in range(scene_users)]
    for name, table in (("echo", out.echo), ("ideal", out.ideal)):
        emu = await Child(["-m", "bench.emulator_server", "{port}"],
                          work / "emulator.log").start("/_stats")
        ref: Child | None = None
        try:
            ref = await Child(["-m", "bench.references", name, "{port}"],
                              work / f"{name}.log").start("/api/messages")
            scene = Scene(emu.url, team, users, [[1] for _ in users])
            for n in levels:
                table[n] = await drive(ref.url, scene, echo_message, n, seconds)
        finally:
            if ref is not None:
                ref.stop()
            emu.stop()


async def run_paced(work: Path, users: int, seconds: float, out: InboundResult,
                    database_url: str | None = None) -> None:
    """Teams' default limits (7/s per conversation, 50/s per tenant), enforced by the emulator
    with 429s: the pacing must hold."""
    bot, emu, scene = await ours(work, users, 1, {}, ["--limits"], database_url,
                                 out.edge)
    try:
        async with aiohttp.ClientSession() as s:
            await s.post(emu.url + "/_reset")
        out.paced = await drive(bot.url, scene, case_message, users, seconds)
        out.paced_throttled = (await stats(emu))["throttled"]
        out.paced_users = users
    finally:
        bot.stop()
        emu.stop()

"""Shared fixtures: a real database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set), the
Teams-protocol emulator, and the bot running on a free port."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.migrate import upgrade
from teams_bot.settings import Settings
from tests.support.card_schema import assert_valid_card
from tests.support.emulator import ConnectorEmulator, adaptive_card
from tests.support.harness import Driver, RunningBot, start_bot
from tests.support.openid import KeyServer
from tests.support.teams import make_team
from tracker.clock import FixedClock

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
SDKS = ("botbuilder", "agents")
API_KEY = "test-intake-key-0123456789"
# A Tuesday morning in term time, London.
START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--sdk", default="",
        help="the SDK edge(s) every e2e test runs on, comma-separated: botbuilder,agents "
             "(default: $TRACKER_SDK if set, else both)")


def edges(config: pytest.Config) -> list[str]:
    chosen = config.getoption("--sdk") or os.environ.get("TRACKER_SDK", "") or ",".join(SDKS)
    names = [n.strip() for n in chosen.split(",") if n.strip()]
    unknown = set(names) - set(SDKS)
    if unknown:
        raise pytest.UsageError(f"--sdk: unknown edge(s) {sorted(unknown)}; use {SDKS}")
    return names


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every e2e test runs once per SDK edge: test_x[botbuilder], test_x[agents]."""
    if metafunc.definition.get_closest_marker("e2e") is not None:
        metafunc.parametrize("sdk", edges(metafunc.config), indirect=True)


@pytest.fixture(autouse=True)
def sdk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str | None:
    """The edge this e2e test runs on, as TRACKER_SDK: the harness (start_bot) and `sgtracker
    serve` subprocesses read it. Other tests get no edge of their own (whatever the shell set)."""
    name: str | None = getattr(request, "param", None)
    if name is None:
        monkeypatch.delenv("TRACKER_SDK", raising=False)
    else:
        monkeypatch.setenv("TRACKER_SDK", name)
    return name


@dataclass(frozen=True)
class Database:
    url: str
    schema: str | None


@pytest.fixture
async def database(tmp_path) -> AsyncIterator[Database]:  # type: ignore[no-untyped-def]
    """A fresh database for one test: a SQLite file, or its own PostgreSQL schema."""
    if not PG_URL:
        yield Database(f"sqlite+aiosqlite:///{tmp_path / 'tracker.db'}", None)
        return
    import asyncpg  # only for the PostgreSQL leg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    dsn = PG_URL.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield Database(PG_URL, schema)
    finally:
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()


@pytest.fixture
async def engine(database: Database) -> AsyncIterator[AsyncEngine]:
    """An engine on `database`, migrated to the latest revision."""
    eng = create_engine(database.url, schema=database.schema)
    await upgrade(eng)
    yield eng
    await eng.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
async def emulator() -> AsyncIterator[ConnectorEmulator]:
    async with ConnectorEmulator() as emu:
        yield emu


def bot_settings(database: Database, **extra: object) -> Settings:
    base = Settings(database_url=database.url, intake_api_key=API_KEY,
                    delivery_poll_seconds=0.05, tick_seconds=0.1, working_hours=None)
    return base.with_(**extra) if extra else base


@pytest.fixture
async def bot(database: Database, clock: FixedClock) -> AsyncIterator[RunningBot]:
    running = await start_bot(bot_settings(database), clock, schema=database.schema)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def teams(bot: RunningBot, emulator: ConnectorEmulator) -> AsyncIterator[Driver]:
    team = emulator.team if hasattr(emulator, "team") else make_team()
    async with aiohttp.ClientSession() as session:
        driver = Driver(bot, emulator, session, team)
        yield driver
    # Every card the bot sent must pass the Adaptive Card 1.5 schema and Teams' rules.
    for call in emulator.calls:
        act = call.body.get("activity") if call.kind == "create" else call.body
        card = adaptive_card(act) if call.ok and isinstance(act, dict) else None
        if card is not None:
            assert_valid_card(card, name=f"{call.kind} {call.path}")
    for card in driver.invoke_cards:
        assert_valid_card(card, name="invoke response")


@pytest.fixture
async def keys() -> AsyncIterator[KeyServer]:
    """A local Bot Framework key server (OpenID metadata and JWKS) on a free port."""
    server = KeyServer().start()
    yield server
    server.stop()

"""Security hygiene at the HTTP edge: intake rate limits, request size limits, masked logs."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from teams_bot.http.intake import authorised
from teams_bot.http.ratelimit import RateLimiter, key_client
from teams_bot.logguard import MaskingFilter, mask
from teams_bot.settings import Settings
from tests.conftest import API_KEY, Database, bot_settings
from tests.support.harness import RunningBot, start_bot
from tracker.clock import FixedClock

NHS = "943 476 5919"  # a valid NHS number (correct check digit), from NHS Digital's test range


class FakeTime:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_bucket_allows_a_burst_then_refills_at_the_rate() -> None:
    now = FakeTime()
    limiter = RateLimiter(120, now=now)
    assert all(limiter.take("a") == 0 for _ in range(120))  # the whole burst
    wait = limiter.take("a")
    assert 0 < wait <= 0.5  # 120 a minute: one token every half second
    assert limiter.take("b") == 0  # another client has its own bucket
    now.t += 0.5
    assert limiter.take("a") == 0
    assert limiter.take("a") > 0
    now.t += 60
    assert all(limiter.take("a") == 0 for _ in range(120))


def test_bucket_memory_is_bounded() -> None:
    now = FakeTime()
    limiter = RateLimiter(60, now=now, max_clients=100)
    for i in range(1000):
        limiter.take(f"client-{i}")
        now.t += 0.001
    assert len(limiter._buckets) <= 100


def test_a_zero_limit_turns_the_limiter_off() -> None:
    limiter = RateLimiter(0)
    assert not limiter.enabled and all(limiter.take("a") == 0 for _ in range(1000))


def test_intake_key_check_is_exact() -> None:
    class Req:
        def __init__(self, header: str) -> None:
            self.headers = {"Authorization": header}

    assert authorised(Req(f"Bearer {API_KEY}"), API_KEY)  # type: ignore[arg-type]
    for header in ("", f"Basic {API_KEY}", f"Bearer {API_KEY}x", f"Bearer {API_KEY[:-1]}",
                   "Bearer ", f"bearer {API_KEY.upper()}"):
        assert not authorised(Req(header), API_KEY), header  # type: ignore[arg-type]
    assert not authorised(Req(f"Bearer {API_KEY}"), "")  # type: ignore[arg-type]
    assert API_KEY not in key_client(API_KEY)


def test_logs_mask_secrets_tokens_and_nhs_numbers() -> None:
    text = (f"Authorization: Bearer {API_KEY} token eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.sig "
            f"postgresql+asyncpg://tracker:s3cret-pw@db:5432/t patient {NHS} key {API_KEY}")
    out = mask(text, (API_KEY,))
    for secret in (API_KEY, "eyJhbGciOiJSUzI1NiJ9", "s3cret-pw", NHS):
        assert secret not in out
    assert "tracker:****@db" in out and "[NHS number removed]" in out
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "got %s", (text,), None)
    assert MaskingFilter((API_KEY,)).filter(record) and API_KEY not in record.getMessage()


def test_startup_configuration_is_masked() -> None:
    settings = Settings(intake_api_key=API_KEY, app_id="app", app_password="very-secret-pw",
                        database_url="postgresql+asyncpg://u:db-password@h:5432/d")
    shown = json.dumps(settings.masked())
    for secret in (API_KEY, "very-secret-pw", "db-password"):
        assert secret not in shown
    assert "TRACKER_INTAKE_PER_MINUTE" in shown


@pytest.fixture
async def limited_bot(database: Database, clock: FixedClock) -> AsyncIterator[RunningBot]:
    running = await start_bot(bot_settings(database, intake_per_minute=3,
                                           max_body_bytes=4096), clock, schema=database.schema)
    try:
        yield running
    finally:
        await running.stop()


@pytest.mark.e2e
async def test_intake_is_rate_limited_per_client_with_retry_after(
    limited_bot: RunningBot,
) -> None:
    url = f"{limited_bot.url}/api/incidents"
    async with aiohttp.ClientSession() as session:
        statuses = []
        # Wrong keys use up their address's allowance (3 a minute here), never the real key's:
        # issue 10, wrong-key traffic must not lock the real sender out.
        for key in ["wrong-key"] * 4 + [API_KEY] * 3:
            async with session.post(url, json={}, headers={"Authorization": f"Bearer {key}"}) \
                    as r:
                statuses.append(r.status)
        assert statuses == [401, 401, 401, 429, 400, 400, 400]
        async with session.post(url, json={}, headers={"Authorization": f"Bearer {API_KEY}"}) \
                as r:
            body = await r.json()
            assert r.status == 429
            assert 1 <= int(r.headers["Retry-After"]) <= 20
            assert "Try again" in body["error"]


@pytest.mark.e2e
async def test_oversized_bodies_are_refused_on_both_endpoints(limited_bot: RunningBot) -> None:
    big = json.dumps({"summary": "x" * 10_000})
    async with aiohttp.ClientSession() as session:
        for path in ("/api/incidents", "/api/messages"):
            async with session.post(f"{limited_bot.url}{path}", data=big, headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {API_KEY}"}) as r:
                assert r.status == 413, (path, r.status)

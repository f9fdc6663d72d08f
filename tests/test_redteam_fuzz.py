"""Hypothesis-driven hostile requests on every endpoint, over real HTTP: never a 5xx.

Bodies that aren't JSON, JSON of every shape, activities with hostile values in each field
(control characters, NUL, lone surrogates, wrong types, deep nesting), intake forms likewise,
odd export paths and header bytes. Marked e2e, so the PostgreSQL leg runs them too (NUL and
surrogates are refused differently there by the database, so both must be covered).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import API_KEY, Database, bot_settings
from tests.support.emulator import ConnectorEmulator
from tests.support.harness import Driver, RunningBot, start_bot
from tests.support.teams import card_invoke, channel_message, personal_message
from tests.test_foundation_e2e import INCIDENT
from tracker.clock import FixedClock

pytestmark = pytest.mark.e2e
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

SPECIAL = st.sampled_from(["\x00", "\ud800", "\udfff", "\x1b[2J", "\u202e", "é", "\x7f",
                           "<at>x</at>", "%00", "../../etc/passwd", "case 1", "\r\n", "'\";--"])
any_char = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
hostile_text = st.one_of(st.text(any_char, max_size=60),
                         st.lists(st.one_of(SPECIAL, st.text(max_size=8)), max_size=6)
                         .map("".join))
leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(),
                 hostile_text)
hostile_json = st.recursive(leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(hostile_text, inner, max_size=4)),
    max_leaves=12)
deep = st.integers(50, 6000).map(lambda n: "[" * n + "]" * n)
raw_body = st.one_of(st.binary(max_size=400), deep.map(str.encode),
                     hostile_json.map(lambda v: json.dumps(v).encode()))
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=255,
                                    exclude_characters="\x7f"), max_size=40)  # sendable


@pytest.fixture
async def fuzz(database: Database, clock: FixedClock,
               emulator: ConnectorEmulator) -> AsyncIterator[Driver]:
    running: RunningBot = await start_bot(
        bot_settings(database, intake_per_minute=0), clock, schema=database.schema,
        workers=False)
    try:
        async with aiohttp.ClientSession() as session:
            driver = Driver(running, emulator, session, emulator.team)
            await driver.setup_team("Lena Lead")
            yield driver
    finally:
        await running.stop()


async def post(d: Driver, path: str, data: bytes, headers: dict[str, str] | None = None) -> int:
    async with d.session.post(d.bot.url + path, data=data, headers={
            "Content-Type": "application/json", **(headers or {})}) as r:
        await r.read()
        return r.status


def activities(d: Driver) -> list[dict[str, Any]]:
    user = d.user("Lena Lead")
    url, team = d.emu.url, d.team
    return [
        channel_message("case 1", user, service_url=url, team=team,
                        channel_id=team.safeguarding_channel_id),
        personal_message("note case 1 hello", user, service_url=url, team=team),
        card_invoke("triage", {"case": 1, "version": 1}, user,
                    conversation=team.safeguarding_channel_id, reply_to_id="1",
                    service_url=url, team=team),
    ]


def plant(activity: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    node = activity
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value
    return activity


FIELDS = [["text"], ["value"], ["name"], ["type"], ["id"], ["channelData"],
          ["channelData", "tenant"], ["channelData", "team", "id"], ["channelData", "channel"],
          ["conversation", "id"], ["conversation", "conversationType"], ["from", "id"],
          ["from", "aadObjectId"], ["entities"], ["attachments"], ["value", "action", "data"],
          ["value", "action", "data", "case"], ["value", "action", "verb"], ["replyToId"],
          ["serviceUrl"], ["recipient"], ["locale"], ["timestamp"]]


@FUZZ
@given(body=raw_body)
async def test_any_body_on_either_endpoint_is_never_a_5xx(fuzz: Driver, body: bytes) -> None:
    for path in ("/api/messages", "/api/incidents"):
        status = await post(fuzz, path, body, {"Authorization": f"Bearer {API_KEY}"})
        assert status < 500, (path, status, body[:80])


@FUZZ
@given(which=st.integers(0, 2), field=st.sampled_from(FIELDS), value=hostile_json)
async def test_hostile_activity_fields_are_never_a_5xx(fuzz: Driver, which: int,
                                                       field: list[str], value: Any) -> None:
    act = plant(activities(fuzz)[which], field, value)
    status = await post(fuzz, "/api/messages", json.dumps(act).encode())
    assert status < 500, (field, value, status)


@FUZZ
@given(field=st.sampled_from(sorted(INCIDENT) + ["steis_number", "lfpse_reference",
                                                 "local_reference", "extra"]),
       value=hostile_json)
async def test_hostile_intake_fields_are_never_a_5xx(fuzz: Driver, field: str,
                                                     value: Any) -> None:
    body = json.dumps({**INCIDENT, field: value}).encode()
    status = await post(fuzz, "/api/incidents", body, {"Authorization": f"Bearer {API_KEY}"})
    assert status < 500, (field, value, status)


@FUZZ
@given(name=st.one_of(hostile_text, st.sampled_from(["abc.%C3%A9.csv", "..%2F..%2Fx.csv",
                                                     "%00.csv", "a.b.c.xlsx", ".csv"])),
       auth=header_text)
async def test_odd_paths_and_header_bytes_are_never_a_5xx(fuzz: Driver, name: str,
                                                          auth: str) -> None:
    path = name if "%" in name else quote(name.encode("utf-8", "surrogatepass"), safe="")
    async with fuzz.session.get(f"{fuzz.bot.url}/export/{path or 'x'}") as r:
        assert r.status < 500, (name, r.status)
    for endpoint in ("/api/incidents", "/api/messages"):
        status = await post(fuzz, endpoint, b"{}", {"Authorization": auth})
        assert status < 500, (endpoint, auth, status)
    async with fuzz.session.get(f"{fuzz.bot.url}/healthz") as r:
        assert r.status == 200

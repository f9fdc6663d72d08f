"""The walk: every registered command and card verb, driven over HTTP, against the one check.

For each surface it proves, with a real bot and database:
- it declares a permission action from the matrix (only `help` and "Save anyway" declare none);
- run by someone with no role, and by a lead of another locality, it reads no case without
  consulting `can()`, changes nothing, shows none of the case, and (for the other locality's
  lead) answers a hidden case exactly as it answers a case that does not exist;
- given an NHS number in every free-text slot, it stores nothing and never echoes the number;
- asked in a channel that is not a safeguarding channel, it shows none of the case.
A new command whose usage line can't be turned into an example fails here until one is added
to EXAMPLES below.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest

from cards.samples import sample_cards
from teams_bot.turns.actions.table import all_verbs
from teams_bot.turns.commands import build_registry
from teams_bot.turns.commands.registry import Command, Parsed
from tests.conftest import Database, bot_settings
from tests.support.emulator import ConnectorEmulator
from tests.support.harness import Driver, start_bot
from tests.support.surface_probe import Probe
from tests.test_access_e2e import ADMIN, CORNWALL_TEXT, DEVON_TEXT, give
from tests.test_foundation_e2e import INCIDENT, intake
from tracker.clock import FixedClock
from tracker.model import Route

NO_CHECK = {"help", "confirm_command"}  # help; "Save anyway" re-runs a command that checks
NHS = "943 476 5919"
FREE = ("text", "note", "reason", "comment", "summary", "description", "detail", "why",
        "recommendation", "audience", "action", "learning", "update")
EXAMPLES: dict[str, str] = {}  # command name -> example text ({n} = a case number)
REGISTRY = build_registry()
VERBS = all_verbs()


def test_every_command_and_verb_declares_a_known_permission() -> None:
    ref_actions = set(__import__("tracker.reference", fromlist=["Reference"])
                      .Reference.load().permissions)
    for c in REGISTRY.commands:
        assert c.action in ref_actions or (c.action == "" and c.name in NO_CHECK), c.name
    for verb, (action, _handler) in VERBS.items():
        assert action in ref_actions or (action == "" and verb in NO_CHECK), verb


# --- examples ------------------------------------------------------------------------------
def _value(name: str, free_text: str) -> str:
    low = name.lower()
    if low in ("n", "number", "case"):
        return "{n}"
    if any(w in low for w in FREE):
        return free_text
    if "date" in low or low in ("when", "day"):
        return "2026-11-30"
    if "link" in low or "url" in low:
        return "https://example.org/report.pdf"
    if "locality" in low or "where" in low or "icb" in low:
        return "Devon"
    if "role" in low:
        return "panel member"
    if low in ("p", "page") or "number" in low:
        return "1"
    if "file" in low:
        return "roles.csv"
    return "x"


def example(cmd: Command, free_text: str = "Discussed at the meeting") -> str | None:
    if cmd.name in EXAMPLES:
        return EXAMPLES[cmd.name]
    text = cmd.usage
    while re.search(r"\[[^\[\]]*\]", text):
        text = re.sub(r"\[[^\[\]]*\]", "", text)
    text = re.sub(r"(\S+?)(?:\|\S+)+", r"\1", text)  # a|b|c -> a
    text = re.sub(r"\*([^*]+)\*", lambda m: _value(m.group(1), free_text), text)
    text = re.sub(r"@\w+(?: \w+)?", "<at>Pat Person</at>", text)
    text = re.sub(r"\s+", " ", text).strip()
    for candidate in (text, text.replace("{n}", "1")):
        parsed = REGISTRY.parse(candidate.replace("{n}", "1"))
        if isinstance(parsed, Parsed) and parsed.command.name == cmd.name:
            return text
    return None


def has_free_text(cmd: Command) -> bool:
    return any(any(w in p.lower() for w in FREE) for p in re.findall(r"\*([^*]+)\*", cmd.usage))


def test_every_command_has_a_working_example() -> None:
    missing = [c.name for c in REGISTRY.commands if c.name not in NO_CHECK and not example(c)]
    assert not missing, f"add examples to tests/test_surfaces.py EXAMPLES for: {missing}"


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if isinstance(node.get("type"), str):
            yield node
        for k, v in node.items():
            if k not in ("data", "msteams"):
                yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def verb_payloads(free_text: str) -> dict[str, dict[str, Any]]:
    """For each verb, the data its button sends plus a value for every input on its card."""
    out: dict[str, dict[str, Any]] = {}
    for card in sample_cards().values():
        values: dict[str, Any] = {}
        for el in _walk(card):
            kind, ident = el["type"], el.get("id")
            if not ident or not kind.startswith("Input."):
                continue
            if kind == "Input.ChoiceSet":
                choices = el.get("choices") or [{"value": "x"}]
                values[ident] = choices[0]["value"]
            elif kind == "Input.Date":
                values[ident] = "2026-11-30"
            elif kind == "Input.Toggle":
                values[ident] = el.get("valueOn", "true")
            else:
                values[ident] = free_text
        for el in _walk(card):
            if el["type"] == "Action.Execute" and el["verb"] not in out:
                out[el["verb"]] = {**values, **el.get("data", {})}
    for verb in VERBS:
        out.setdefault(verb, {"verb": verb})
    return out


# --- the running world -------------------------------------------------------------------
@pytest.fixture
async def walk(database: Database, clock: FixedClock,
               emulator: ConnectorEmulator) -> AsyncIterator[Probe]:
    running = await start_bot(bot_settings(database, admins=(ADMIN.aad_object_id,)), clock,
                              schema=database.schema, workers=False)
    admin = emulator.add_user(ADMIN.name, aad_object_id=ADMIN.aad_object_id)
    try:
        async with aiohttp.ClientSession() as session:
            teams = Driver(running, emulator, session, emulator.team)
            teams.users[ADMIN.name] = admin
            await teams.install()
            assert "safeguarding channel" in (await teams.say("setup", ADMIN.name)).body["text"]
            await give(teams, "safeguarding lead", "Dana Devon", "Devon")
            cases = {}
            for name, locality, text in (("devon", "Devon", DEVON_TEXT),
                                         ("cornwall", "Cornwall", CORNWALL_TEXT),
                                         ("path1", "Devon", DEVON_TEXT),
                                         ("path2", "Devon", DEVON_TEXT)):
                status, body = await intake(teams, {**INCIDENT, "locality": locality,
                                                    "summary": text})
                assert status == 201, body
                cases[name] = body["case_number"]
            svc = running.services.service
            lead = teams.user("Dana Devon")
            from tracker.model import Actor
            dana = Actor(lead.id, lead.aad_object_id, lead.name)
            for name, route in (("path1", Route.PATH1), ("path2", Route.PATH2)):
                await svc.decide_route(dana, cases[name], None, route, level="case_review")
            probe = Probe(teams, cases)
            with probe.instrumented():
                yield probe
    finally:
        await running.stop()


def commands() -> list[Command]:
    return [c for c in REGISTRY.commands if c.name not in NO_CHECK]


@pytest.mark.e2e
async def test_walk_every_command(walk: Probe) -> None:
    for cmd in commands():
        text = example(cmd)
        assert text is not None, cmd.name
        await walk.refused_command(cmd, text)
        if "{n}" in text:
            await walk.no_details_elsewhere(cmd, text)
        if has_free_text(cmd):
            await walk.nhs_refused_command(cmd, example(cmd, f"NHS {NHS} seen") or text)
    assert not walk.problems, "\n".join(walk.problems)


@pytest.mark.e2e
async def test_walk_every_card_verb(walk: Probe) -> None:
    plain = verb_payloads("Discussed at the meeting")
    nhs = verb_payloads(f"NHS {NHS} seen")
    for verb in VERBS:
        if verb in NO_CHECK:
            continue
        await walk.refused_click(verb, plain[verb])
        if any(isinstance(v, str) and NHS in v for v in nhs[verb].values()):
            await walk.nhs_refused_click(verb, nhs[verb])
    assert not walk.problems, "\n".join(walk.problems)

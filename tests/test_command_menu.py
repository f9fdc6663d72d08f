"""The manifest's command menu comes from the command registry, holds only real commands, and
keeps Teams' limits; which 12 commands each scope offers is chosen in commands/menu.py."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from manifest import build_manifest
from manifest.build import BOT_SCOPES, MAX_COMMAND_DESCRIPTION, MAX_COMMAND_TITLE
from teams_bot.cli import main
from teams_bot.turns.commands import Parsed, Registry, build_registry
from teams_bot.turns.commands.menu import MENU_LIMIT, MENU_ORDER, menu_entries, menu_for

APP_ID = "6f1c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f"


def _lists(manifest: dict) -> dict[str, list[dict[str, str]]]:  # type: ignore[type-arg]
    """scope -> the commands Teams shows there."""
    return {scope: cl["commands"] for cl in manifest["bots"][0].get("commandLists", [])
            for scope in cl["scopes"]}


def test_every_listed_command_exists_and_teams_limits_hold() -> None:
    registry = build_registry()
    manifest = build_manifest(APP_ID, "0.1.0", registry.menu_commands())
    lists = manifest["bots"][0]["commandLists"]
    assert 1 <= len(lists) <= 3
    by_scope = _lists(manifest)
    assert set(by_scope) == set(BOT_SCOPES)
    for scope, commands in by_scope.items():
        assert 1 <= len(commands) <= 12, scope
        titles = [c["title"] for c in commands]
        assert len(set(titles)) == len(titles), f"{scope} lists a command twice"
        for listed in commands:
            command = registry.by_name(listed["title"])  # StopIteration if it doesn't exist
            assert scope in command.scopes, f"{command.name} doesn't work in {scope}"
            assert listed["description"] == command.help
            assert 1 <= len(listed["title"]) <= MAX_COMMAND_TITLE
            assert len(listed["description"]) <= MAX_COMMAND_DESCRIPTION
            # Sent as Teams puts it in the compose box, the title runs the command or gets
            # that command's usage back as the hint.
            parsed = registry.parse(listed["title"])
            if isinstance(parsed, Parsed):
                assert parsed.command is command
            else:
                assert parsed.suggestion == command.usage
        assert titles == [c.name for c in registry.menu(scope)]


def test_each_scope_offers_the_chosen_order_first() -> None:
    registry = build_registry()
    assert len(set(MENU_ORDER)) == len(MENU_ORDER)
    names = [c.name for c in registry.commands]
    for scope in BOT_SCOPES:
        works = [n for n in names
                 if scope in registry.by_name(n).scopes and registry.by_name(n).menu]
        chosen = [n for n in MENU_ORDER if n in works]
        rest = [n for n in works if n not in MENU_ORDER]
        assert [c.name for c in registry.menu(scope)] == (chosen + rest)[:MENU_LIMIT]
    team = [c.name for c in registry.menu("team")]
    chat = [c.name for c in registry.menu("personal")]
    assert team[:4] == ["help", "new incident", "cases", "case"]
    assert "setup" in team and "setup" not in chat and "role" not in chat


@dataclass(frozen=True)
class _Cmd:
    name: str
    help: str = "does something"
    scopes: frozenset[str] = frozenset(BOT_SCOPES)
    menu: bool = True


def test_order_first_then_the_rest_and_never_past_twelve_per_scope() -> None:
    commands = [_Cmd(f"c{i:02d}") for i in range(20)]
    commands += [_Cmd("team only", scopes=frozenset({"team"})), _Cmd("hidden", menu=False)]
    order = ["hidden", "c15", "team only", "not registered", "c03"]
    lists = _lists(build_manifest(APP_ID, "0.1.0", menu_entries(commands, order)))
    rest = [f"c{i:02d}" for i in range(20) if i not in (3, 15)]
    assert [c["title"] for c in lists["team"]] == ["c15", "team only", "c03", *rest[:9]]
    assert [c["title"] for c in lists["personal"]] == ["c15", "c03", *rest[:10]]
    assert [c.name for c in menu_for(commands, "groupChat", order)] == \
        [c["title"] for c in lists["groupChat"]]


def test_a_command_marked_menu_false_is_never_offered() -> None:
    commands = [replace(c, menu=False) if c.name == "help" else c
                for c in build_registry().commands]
    registry = Registry(commands)
    assert "help" not in {c.name for s in BOT_SCOPES for c in registry.menu(s)}
    assert "help" not in {e.title for e in registry.menu_commands()}


def test_sgtracker_package_writes_the_registry_menu(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("TRACKER_ENV", "MicrosoftAppId", "DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)
    out = tmp_path / "app.zip"
    assert main(["package", "--app-id", APP_ID, "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(zf.read("manifest.json"))
    registry = build_registry()
    for scope, commands in _lists(manifest).items():
        assert [c["title"] for c in commands] == [c.name for c in registry.menu(scope)]
    assert manifest["bots"][0]["botId"] == APP_ID

"""The command parser: tolerant of the bot's @mention, letter case, `#42` and extra spaces."""

from __future__ import annotations

import pytest

from teams_bot.turns.commands import build_registry
from teams_bot.turns.commands.registry import Parsed, Unknown, clean

REG = build_registry()


def parse(text: str) -> Parsed:
    result = REG.parse(text)
    assert isinstance(result, Parsed), (text, result)
    return result


@pytest.mark.parametrize("text", [
    "case 42", "Case 42", "CASE #42", "<at>Safeguarding Tracker</at> case 42",
    "  case   42 ", "case #42", "#42", "42", "show case 42", "<at>Bot</at>&nbsp;case&nbsp;42",
])
def test_case_numbers_in_every_spelling(text: str) -> None:
    p = parse(text)
    assert p.command.name == "case" and p.args["n"] == "42"


def test_commands_and_their_arguments() -> None:
    assert parse("help").command.name == "help"
    assert parse("HELP").command.name == "help"
    assert parse("cases").command.name == "cases"
    assert parse("cases for Devon").args["where"] == "Devon"
    assert parse("new incident").command.name == "new incident"
    assert parse("log incident").command.name == "new incident"
    assert parse("setup").args["where"] == ""
    assert parse("setup Kent and Medway").args["where"] == "Kent and Medway"
    p = parse("role designated lead <at>Dev Designated</at>")
    assert p.command.name == "role" and p.args["role"] == "designated lead"
    assert p.args["who"] == "<at>Dev Designated</at>"
    p = parse("<at>Safeguarding Tracker</at> role Medical Director <at>Sam</at> for Devon")
    assert p.args["role"] == "Medical Director" and p.args["where"] == "Devon"
    assert parse("remove role panel member <at>Sam</at>").args["remove"]
    assert parse("roles").command.name == "roles"


def test_unknown_commands_get_a_suggestion() -> None:
    result = REG.parse("cses")
    assert isinstance(result, Unknown) and result.suggestion.startswith("cases")
    result = REG.parse("hlep")
    assert isinstance(result, Unknown) and result.suggestion == "help"
    result = REG.parse("what is the weather")
    assert isinstance(result, Unknown)
    assert isinstance(REG.parse(""), Unknown)


def test_clean_keeps_the_case_of_free_text() -> None:
    assert clean("<at>Bot</at> note case 4 Spoke to GP") == "note case 4 Spoke to GP"
    assert clean("<p>case 4</p>") == "case 4"


def test_each_command_is_registered_once_with_help() -> None:
    names = [c.name for c in REG.commands]
    assert len(names) == len(set(names))
    assert all(c.help and c.usage for c in REG.commands)

"""Everything a person reads is plain English (issue 12). Teams reads message text as markdown
with HTML, so a raw `<N>` shows as `&lt;N&gt;` in Microsoft's Agents Playground and Teams may
drop it; only `<at>` mentions may be tags. Checked over the text of every command's usage, help,
hint and error: each string literal in the packages people's words come from, the `help`
reply, and every state-machine hint."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from teams_bot.turns.commands import all_commands, build_registry
from teams_bot.turns.commands.registry import Unknown
from tracker.errors import IllegalTransition
from tracker.model import State
from tracker.states import Verb, allowed, next_state
from tracker.text import short

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tracker", "teams_bot", "cards")
TAG = re.compile(r"(?<!\?P)<(?!/?at>)/?[A-Za-z][^<>]*>")
ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+);")


def problems(text: str) -> list[str]:
    return TAG.findall(text) + ENTITY.findall(text)


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def literals() -> list[tuple[str, int, str]]:
    """Every string literal (f-string parts included) outside docstrings."""
    out = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(), str(path))
            skip = _docstrings(tree)
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                        and id(node) not in skip:
                    out.append((str(path.relative_to(ROOT)), node.lineno, node.value))
    return out


def test_no_raw_tags_or_entities_in_any_text_the_bot_can_say() -> None:
    found = [f"{where}:{line}: {problems(text)}" for where, line, text in literals()
             if problems(text)]
    assert not found, "write placeholders as Teams shows them (`case 42`, *N*):\n" + \
        "\n".join(found)


def test_the_scan_sees_what_it_should() -> None:
    """The checks themselves: a raw tag and an entity are caught, mentions and regex groups
    are not."""
    assert problems("Type `close case <N> published <link>`") == ["<N>", "<link>"]
    assert problems("I can&#39;t &lt;do&gt; that") == ["&#39;", "&lt;", "&gt;"]
    assert problems("<at>Dev Designated</at>: please look") == []
    assert problems(r"(?P<n>\d+)") == []
    assert len(literals()) > 1000


@pytest.mark.parametrize("command", all_commands(), ids=lambda c: c.name)
def test_every_commands_usage_and_help_are_plain(command) -> None:  # type: ignore[no-untyped-def]
    assert not problems(command.usage) and not problems(command.help)
    assert "_" not in command.usage.replace("*", "")  # no snake_case keys


def test_the_help_reply_has_no_raw_tags_or_entities() -> None:
    registry = build_registry()
    lines = [f"- {c.usage}: {c.help}" for c in registry.commands]
    assert not any(problems(line) for line in lines)
    unknown = registry.parse("close it all please right now")
    assert isinstance(unknown, Unknown) and not problems(unknown.suggestion)


def test_every_state_machine_hint_is_plain() -> None:
    for state in State:
        for verb in Verb:
            if allowed(state, verb):
                continue
            with pytest.raises(IllegalTransition) as err:
                next_state(state, verb)
            assert not problems(str(err.value)), str(err.value)
            assert not re.search(r"\b[a-z]+_[a-z_]+\b", str(err.value)), str(err.value)


def test_echoes_are_shortened_at_word_boundaries() -> None:
    link = "https://example.org/reviews/2026/cspr-child-d-final-report-published.pdf"
    said = f"please look at {link} before the panel meets"
    cut = short(said, 40)
    assert cut == "please look at…"  # the link is not cut mid-way
    assert short("a few words", 40) == "a few words"
    words = short("one two three four five six seven eight nine ten eleven", 30)
    assert words.endswith("…") and len(words) <= 30 and words[:-1] in \
        "one two three four five six seven eight nine ten eleven"

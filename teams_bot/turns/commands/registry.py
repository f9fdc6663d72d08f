"""The command registry and parser. Each command is registered once, with its help text;
the registry feeds `help` and the manifest's command lists."""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from teams_bot.turns.commands.menu import MenuEntry, menu_entries, menu_for
from teams_bot.turns.context import Ctx, Reply
from tracker.states import Verb

Handler = Callable[[Ctx, dict[str, str]], Awaitable[Reply]]
ALL_SCOPES = frozenset({"team", "personal", "groupChat"})
CASE_NO = r"(?:case\s+)?(?:no\.?\s*)?#?\s*(?P<n>\d{1,9})"


@dataclass(frozen=True)
class Command:
    name: str  # what people type first, e.g. "close case"
    usage: str  # e.g. "close case <N> published <link> [on <date>]"
    help: str  # one line
    pattern: str  # a regex matched in full against the cleaned text
    handler: Handler
    action: str  # the permission it needs ("" = none: help)
    scopes: frozenset[str] = ALL_SCOPES
    menu: bool = True  # offered in the Teams compose-box menu
    moves: tuple[Verb, ...] = ()  # the state-machine verbs it can apply (tests/test_states.py)
    # `action` is checked before the handler runs, except where the use case alone can decide
    # (the first `setup` of an empty installation needs no role).
    gated: bool = True

    # What the manifest builder needs (manifest.build.CommandInfo).
    @property
    def title(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        return self.help


@dataclass(frozen=True)
class Parsed:
    command: Command
    args: dict[str, str]


@dataclass(frozen=True)
class Unknown:
    text: str
    suggestion: str = ""


_LEADING_MENTIONS = re.compile(r"^(\s*<at>[^<]*</at>\s*)+", re.I)
_TAGS = re.compile(r"<(?!/?at>)[^>]+>")


def clean(text: str) -> str:
    """Strip the bot's @mention, HTML and extra spaces; keep case (notes and links need it)."""
    text = html.unescape(_TAGS.sub(" ", text or "")).replace("\xa0", " ")
    text = _LEADING_MENTIONS.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


class Registry:
    def __init__(self, commands: Sequence[Command]) -> None:
        names = [c.name for c in commands]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ValueError(f"commands registered twice: {sorted(dupes)}")
        self.commands = tuple(commands)
        self._compiled = [(re.compile(c.pattern, re.I | re.S), c) for c in commands]

    def parse(self, text: str) -> Parsed | Unknown:
        cleaned = clean(text)
        for rx, cmd in self._compiled:
            m = rx.fullmatch(cleaned)
            if m:
                args = {k: (v or "").strip() for k, v in m.groupdict().items()}
                return Parsed(cmd, args)
        return Unknown(cleaned, self.suggest(cleaned))

    def suggest(self, cleaned: str) -> str:
        """The command the person most likely meant, from its first words."""
        words = cleaned.lower().split()
        for width in (2, 1):
            head = " ".join(words[:width])
            if not head:
                continue
            exact = [c for c in self.commands if c.name.startswith(head) and len(head) > 2]
            if exact:
                return exact[0].usage
            close = difflib.get_close_matches(head, [c.name for c in self.commands], 1, 0.75)
            if close:
                return next(c.usage for c in self.commands if c.name == close[0])
        return ""

    def menu(self, scope: str) -> list[Command]:
        """The commands in one scope's Teams menu (chosen in commands/menu.py)."""
        return [self.by_name(c.name) for c in menu_for(self.commands, scope)]

    def menu_commands(self) -> list[MenuEntry]:
        """The manifest's command menu: each offered command with the scopes it is offered in."""
        return menu_entries(self.commands)

    def by_name(self, name: str) -> Command:
        return next(c for c in self.commands if c.name == name)


def number(args: dict[str, Any]) -> int:
    return int(args["n"])

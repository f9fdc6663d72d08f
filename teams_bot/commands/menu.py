"""The command menu Teams shows above the compose box (the manifest's `commandLists`).

Teams shows at most 12 commands per scope, and the bot has more, so the menu is chosen here, by
hand, in order of everyday use. Each scope (team, personal, groupChat) gets the first 12 of
MENU_ORDER that work there. Every command, in the menu or not, is still listed by `help`.
A new command joins the menu only when it is named here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

MENU_LIMIT = 12  # commands per list in the Teams manifest schema
SCOPES = ("team", "personal", "groupChat")

MENU_ORDER = (
    "help",
    "new incident",
    "cases",
    "case",
    "overdue",
    "agenda",
    "panel case",
    "update case",
    "note case",
    "close case",
    "setup",  # team only, so chats get one more from below
    "roles",
    "history",
    "export",
)


class MenuCommand(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def help(self) -> str: ...

    @property
    def scopes(self) -> frozenset[str]: ...

    @property
    def menu(self) -> bool: ...


@dataclass(frozen=True)
class MenuEntry:
    """One menu line, in the shape manifest.build.CommandInfo expects."""

    title: str
    description: str
    scopes: frozenset[str]


def menu_for(commands: Iterable[MenuCommand], scope: str,
             order: Sequence[str] = MENU_ORDER) -> list[MenuCommand]:
    """The commands offered in one scope's menu, in menu order."""
    by_name = {c.name: c for c in commands}
    unknown = [n for n in order if n not in by_name]
    if unknown:
        raise ValueError(f"the command menu names commands that don't exist: {unknown}; "
                         "fix MENU_ORDER in teams_bot/commands/menu.py")
    hidden = [n for n in order if not by_name[n].menu]
    if hidden:
        raise ValueError(f"commands {hidden} are marked menu=False but named in MENU_ORDER")
    return [by_name[n] for n in order if scope in by_name[n].scopes][:MENU_LIMIT]


def menu_entries(commands: Sequence[MenuCommand],
                 order: Sequence[str] = MENU_ORDER) -> list[MenuEntry]:
    """Every command offered in some scope's menu, with the scopes it is offered in."""
    offered: dict[str, set[str]] = {}
    for scope in SCOPES:
        for c in menu_for(commands, scope, order):
            offered.setdefault(c.name, set()).add(scope)
    by_name = {c.name: c for c in commands}
    return [MenuEntry(n, by_name[n].help, frozenset(offered[n])) for n in order if n in offered]

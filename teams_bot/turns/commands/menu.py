"""The command menu Teams shows above the compose box (the manifest's `commandLists`).

Teams shows at most 12 commands per scope, and the bot has more, so the order is chosen here, by
hand, by everyday use. Each scope (team, personal, groupChat) gets the commands of MENU_ORDER
that work there, then any other command (registration order), cut at 12. A name here that is not
registered (yet) is skipped, and a command marked `menu=False` is never offered. Every command,
in the menu or not, is still listed by `help`.
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
    offered = [c for c in commands if c.menu and scope in c.scopes]
    rank = {name: i for i, name in enumerate(order)}
    ranked = sorted(offered, key=lambda c: rank.get(c.name, len(rank)))  # stable: keeps the rest
    return ranked[:MENU_LIMIT]


def menu_entries(commands: Sequence[MenuCommand],
                 order: Sequence[str] = MENU_ORDER) -> list[MenuEntry]:
    """Every command offered in some scope's menu, with the scopes it is offered in."""
    offered: dict[str, set[str]] = {}
    for scope in SCOPES:
        for c in menu_for(commands, scope, order):
            offered.setdefault(c.name, set()).add(scope)
    rank = {name: i for i, name in enumerate(order)}
    ranked = sorted(commands, key=lambda c: rank.get(c.name, len(rank)))
    return [MenuEntry(c.name, c.help, frozenset(offered[c.name])) for c in ranked
            if c.name in offered]

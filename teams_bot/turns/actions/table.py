"""Every card verb the bot handles, joined from the feature modules (each registered once)."""

from __future__ import annotations

from teams_bot.turns import confirm
from teams_bot.turns.actions import core, path1, path2
from teams_bot.turns.actions.core import ActionHandler
from teams_bot.turns.commands import audit
from tracker.states import Verb

VerbTable = dict[str, tuple[str, ActionHandler]]


def all_verbs() -> VerbTable:
    tables: list[VerbTable] = [core.HANDLERS, confirm.HANDLERS, audit.HANDLERS,
                               path1.HANDLERS, path2.HANDLERS]
    joined: VerbTable = {}
    for table in tables:
        clash = set(joined) & set(table)
        if clash:
            raise ValueError(f"card verbs registered twice: {sorted(clash)}")
        joined.update(table)
    return joined


def all_moves() -> dict[str, tuple[Verb, ...]]:
    """Card verb -> the state-machine verbs it can apply, joined like the handlers."""
    return {**core.MOVES, **path1.MOVES, **path2.MOVES}

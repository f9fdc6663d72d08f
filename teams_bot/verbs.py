"""Every card verb the bot handles, joined from the feature modules (each registered once)."""

from __future__ import annotations

from tracker.states import Verb

from . import card_actions, confirm, path1_actions, path2_actions
from .card_actions import ActionHandler
from .commands import audit

VerbTable = dict[str, tuple[str, ActionHandler]]


def all_verbs() -> VerbTable:
    tables: list[VerbTable] = [card_actions.HANDLERS, confirm.HANDLERS, audit.HANDLERS,
                               path1_actions.HANDLERS, path2_actions.HANDLERS]
    joined: VerbTable = {}
    for table in tables:
        clash = set(joined) & set(table)
        if clash:
            raise ValueError(f"card verbs registered twice: {sorted(clash)}")
        joined.update(table)
    return joined


def all_moves() -> dict[str, tuple[Verb, ...]]:
    """Card verb -> the state-machine verbs it can apply, joined like the handlers."""
    return {**card_actions.MOVES, **path1_actions.MOVES, **path2_actions.MOVES}

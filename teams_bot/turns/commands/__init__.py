"""Every command the bot understands, registered once."""

from __future__ import annotations

from teams_bot.turns.commands import audit, core, path2, record, review
from teams_bot.turns.commands.registry import Command, Parsed, Registry, Unknown


def all_commands() -> list[Command]:
    return [*core.COMMANDS, *audit.COMMANDS, *record.COMMANDS, *review.COMMANDS,
            *path2.COMMANDS]


def build_registry() -> Registry:
    return Registry(all_commands())


__all__ = ["Command", "Parsed", "Registry", "Unknown", "build_registry"]

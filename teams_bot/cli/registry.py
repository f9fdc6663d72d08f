"""The subcommands of `sgtracker`, each registered once by the module that implements it."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from teams_bot.settings import Settings

Run = Callable[[argparse.Namespace, Settings], int]
AddArgs = Callable[[argparse.ArgumentParser], None]
SUBCOMMANDS: dict[str, tuple[str, AddArgs, Run]] = {}


def _no_args(p: argparse.ArgumentParser) -> None:
    return None


def subcommand(name: str, help_: str, args: AddArgs = _no_args) -> Callable[[Run], Run]:
    def wrap(fn: Run) -> Run:
        SUBCOMMANDS[name] = (help_, args, fn)
        return fn
    return wrap

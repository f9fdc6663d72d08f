"""Policies the use cases run as explicit lists, wired in `tracker/service/__init__.py`.

A reminder policy owns some kinds of row in the reminder ledger (a kind is the part of the
key before the first colon, e.g. "clock:cspr_publication" has kind "clock"): `sync` brings its
rows in line with a case on every change; `fire` sends one that is due and returns the row as
it should now be stored (repeats counted, next due time set, or done=True).

An intake policy runs in the transaction that logs a new case (the media escalation).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

from ..model import Actor, Case
from ..ports import Notice, Reminder, UnitOfWork

if TYPE_CHECKING:
    from .writer import Writer


class ReminderPolicy(Protocol):
    kinds: tuple[str, ...]

    async def sync(self, uow: UnitOfWork, case: Case) -> None: ...

    async def fire(self, w: Writer, uow: UnitOfWork, r: Reminder, case: Case) -> Reminder: ...


IntakePolicy = Callable[[UnitOfWork, Actor, Case], Awaitable[None]]
# What flagging likely media attention (the pre-publication briefing) sets off: notices to queue.
MediaPolicy = Callable[[UnitOfWork, Actor, Case], Awaitable[list[Notice]]]

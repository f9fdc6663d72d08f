"""What every Path 1 use case shares: one edit = load, check, change, apply, commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from ..model import Actor, Case, PersonRef
from ..permissions import Access
from ..ports import Notice, NoticeKind, UnitOfWork
from ..states import Verb, next_state
from .base import Outcome, ServiceBase

LONDON = ZoneInfo("Europe/London")


@dataclass
class Change:
    """What an edit did: field -> (old, new), notices to send, and the answer for the user."""

    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    message: str = ""
    notices: list[Notice] = field(default_factory=list)
    detail: str = ""


Mutate = Callable[[UnitOfWork, Access, Case], Awaitable[Change]]


class Path1Base(ServiceBase):
    def today(self) -> date:
        """Today in England (stored times are UTC)."""
        return self.clock.now().astimezone(LONDON).date()

    async def edit_case(
        self, actor: Actor, number: int, version: int | None, action: str, verb: Verb,
        kind: str, mutate: Mutate,
    ) -> Outcome:
        """Load the case (hidden = not found), refuse stale clicks and illegal moves, let
        `mutate` change it, then save it with one event. Any error leaves it unchanged."""
        async with self.uow() as uow:
            access = await self.access_in(uow, actor)
            case = await self.load(uow, access, number, action)
            await self.check_version(uow, actor, case, version, verb)
            next_state(case.state, verb)  # a closed case is read-only: say so before anything
            done = await mutate(uow, access, case)
            if not done.changes:
                return Outcome(case, done.message or f"Nothing changed on case {number}.",
                               changed=False)
            await self.apply(uow, actor, case, verb, kind, done.changes, done.notices,
                             detail=done.detail)
            await uow.commit()
        return Outcome(case, done.message)

    async def holders_for(self, uow: UnitOfWork, role: str, case: Case) -> list[PersonRef]:
        """People holding `role` for a scope that covers the case."""
        return [h.person.ref for h in await uow.directory.holders(role)
                if h.scope.covers(case, case.team_id)]

    async def owners_of(self, uow: UnitOfWork, case: Case) -> list[PersonRef]:
        """Whom to @mention about a case: its designated professional, else the designated
        leads for it, else its safeguarding leads."""
        if case.designated_professional is not None:
            return [case.designated_professional]
        for role in ("designated_lead", "safeguarding_lead"):
            people = await self.holders_for(uow, role, case)
            if people:
                return people
        return []


def thread_reply(number: int, text: str, mentions: Iterable[PersonRef] = (),
                 key: str = "", card: str = "") -> Notice:
    return Notice(NoticeKind.THREAD_REPLY, number, text=text, card=card,
                  mentions=tuple(mentions), key=key)


def at(people: Iterable[PersonRef]) -> str:
    """`<at>Name</at>` for each person, for the text of a message that mentions them."""
    return " ".join(f"<at>{p.name}</at>" for p in people)


def day(value: date | None) -> str:
    return f"{value:%d %b %Y}" if value else "none"

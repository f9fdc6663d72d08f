"""Helpers the Path 1 use cases share: whom to @mention, and how to word it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ..model import Case, PersonRef
from ..ports import Notice, NoticeKind, UnitOfWork
from .writer import Change, Mutate

__all__ = ["Change", "Mutate", "at", "day", "holders_for", "owners_of", "thread_reply"]


async def holders_for(uow: UnitOfWork, role: str, case: Case) -> list[PersonRef]:
    """People holding `role` for a scope that covers the case."""
    return [h.person.ref for h in await uow.directory.holders(role)
            if h.scope.covers(case, case.team_id)]


async def owners_of(uow: UnitOfWork, case: Case) -> list[PersonRef]:
    """Whom to @mention about a case: its designated professional, else the designated
    leads for it, else its safeguarding leads."""
    if case.designated_professional is not None:
        return [case.designated_professional]
    for role in ("designated_lead", "safeguarding_lead"):
        people = await holders_for(uow, role, case)
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

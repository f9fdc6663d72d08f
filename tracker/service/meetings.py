"""ICS meetings: the agenda of open case reviews, the overdue list, and "discussed on <date>"."""

from __future__ import annotations

from datetime import date

from ..errors import InvalidInput
from ..model import Actor, Case, Discussion, State
from ..permissions import Access
from ..ports import CaseFilter, UnitOfWork
from ..privacy import check_text
from ..states import Verb
from .base import Outcome
from .path1_common import Change, day
from .writer import Writer

PATH1_OPEN = (State.PANEL, State.RAPID_REVIEW, State.REVIEW)
AGENDA_MAX = 100
NOTE_MAX = 600


class Meetings:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps

    async def _cases(self, actor: Actor, locality: str, flt: CaseFilter) -> list[Case]:
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            self.w.require(access, "view")
            key = self.d.ref.locality(locality).key if locality.strip() else ""
            flt = CaseFilter(scopes=[g.scope for g in access.grants], open_only=True,
                             locality=key, due_before=flt.due_before, states=flt.states,
                             limit=AGENDA_MAX)
            return await uow.cases.list(flt)

    async def agenda(self, actor: Actor, locality: str = "") -> list[Case]:
        """Open case reviews (awaiting panel, Rapid Review, review) the asker may see."""
        return await self._cases(actor, locality, CaseFilter(states=PATH1_OPEN))

    async def overdue(self, actor: Actor, locality: str = "") -> list[Case]:
        """Open cases with a clock or an action past its due date, soonest due first."""
        return await self._cases(actor, locality, CaseFilter(due_before=self.d.today()))

    async def record_discussion(
        self, actor: Actor, number: int, version: int | None, on: date | None = None,
        note: str = "",
    ) -> Outcome:
        """"Discussed at ICS meeting on <date>", with an optional note. Not tied to the card's
        version (the record may change mid-meeting); the same discussion twice is recorded once.
        """
        today = self.d.today()
        on = on or today
        if on > today:
            raise InvalidInput({"discussed_on": "The meeting date can't be in the future."})
        note = " ".join(note.split())
        if len(note) > NOTE_MAX:
            raise InvalidInput({"note": f"Keep the note under {NOTE_MAX} characters."})
        check_text({"note": note})

        async def mutate(uow: UnitOfWork, access: Access, case: Case) -> Change:
            if any(d.on == on and d.note == note for d in case.discussions):
                return Change(message=f"Case {number}: the discussion on {day(on)} was already "
                                      "recorded. Nothing more was changed.")
            item = Discussion(on=on, by=actor.display, note=note)
            case.discussions.append(item)
            return Change({"discussion": (None, item)},
                          f"Case {number}: discussed at the ICS meeting on {day(on)}.")

        return await self.w.edit(actor, number, version, "edit_record", Verb.EDIT,
                                 "discussed_at_ics", mutate)

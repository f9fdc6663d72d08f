"""Snoozing a case's Path 1 reminders: the worker respects each row's `snoozed_until`."""

from __future__ import annotations

from datetime import timedelta

from ..clock import london
from ..errors import InvalidInput
from ..model import Actor
from ..states import Verb, next_state
from .path1_reminders import Path1Reminders, ours
from .writer import Writer

SNOOZE_MAX_HOURS = 14 * 24


class Snooze:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps
        self.policy = Path1Reminders(w.deps)  # which rows are running (it holds no state)

    async def snooze(self, actor: Actor, number: int, kind: str = "",
                     hours: float | None = None) -> str:
        """Put off the case's running reminders (or one kind) for `hours` (default from data)."""
        hours = float(self.policy.rules["snooze_hours"]) if hours is None else hours
        if not 0 < hours <= SNOOZE_MAX_HOURS:
            raise InvalidInput({"days": "Snooze for between 1 and 14 days."})
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            case = await self.w.load(uow, access, number, "edit_record")
            next_state(case.state, Verb.EDIT)
            wanted = self.policy.wanted_reminders(case)
            rows = [r for r in await uow.reminders.for_case(number)
                    if ours(r.kind) and not r.done and r.kind in wanted
                    and (not kind or r.kind == kind)]
            if not rows:
                return f"There are no reminders running for case {number}; nothing to snooze."
            until = self.d.clock.now() + timedelta(hours=hours)
            for r in rows:
                r.snoozed_until = until
                await uow.reminders.upsert(r)
            await self.w.record(uow, actor, number, "reminder_snoozed", {
                "what": "reminders snoozed", "kinds": [r.kind for r in rows],
                "until": until.isoformat()})
            await uow.commit()
        local = london(until)
        count = f"{len(rows)} reminder{'s' if len(rows) != 1 else ''}"
        return f"Case {number}: {count} snoozed until {local:%a %d %b %H:%M}."



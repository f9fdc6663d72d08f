"""Reminders for Path 1: an overdue statutory clock ("clock:<key>") or review action
("action:<number>") is posted in the case thread, @mentioning whoever owns it.

The ledger row is due the day after the due date; the worker fires it at the next tick (a missed
tick still fires), only in working hours, then repeats every `repeat_hours` until
`max_repeats` reminders have gone out (timescales.json "reminders"). Snoozing sets the row's
`snoozed_until`, which the worker respects.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from ..deadlines import clocks_for
from ..errors import InvalidInput
from ..model import SYSTEM, Actor, Case
from ..ports import Reminder, UnitOfWork
from ..states import Verb, next_state
from .path1_common import LONDON, Path1Base, at, thread_reply
from .reminders import ReminderHandler, ReminderService

KINDS = ("clock", "action")
OPEN_ACTION = ("open", "in_progress")
SNOOZE_MAX_HOURS = 14 * 24


def overdue_from(due: date) -> datetime:
    """The first moment a clock due on `due` is overdue: midnight after it, UK time."""
    return datetime.combine(due + timedelta(days=1), time(0), LONDON).astimezone(UTC)


def _ours(kind: str) -> bool:
    return kind.split(":", 1)[0] in KINDS


class Path1ReminderService(ReminderService, Path1Base):
    def reminder_handlers(self) -> dict[str, ReminderHandler]:
        return {**super().reminder_handlers(), "clock": self._remind_clock,
                "action": self._remind_action}

    @property
    def _rules(self) -> dict[str, float]:
        return self.ref.timescales["reminders"]  # type: ignore[no-any-return]

    def wanted_reminders(self, case: Case) -> dict[str, date]:
        """Ledger kind -> due date, for every running clock and open action with a due date."""
        if case.closed:
            return {}
        out = {f"clock:{c.key}": c.due for c in clocks_for(case, self.ref.timescales, self.wd)
               if not c.done}
        out |= {f"action:{a.number}": a.due for a in case.actions
                if a.due is not None and a.status in OPEN_ACTION}
        return out

    async def sync_reminders(self, uow: UnitOfWork, case: Case) -> None:
        await super().sync_reminders(uow, case)
        wanted = self.wanted_reminders(case)
        rows = {r.kind: r for r in await uow.reminders.for_case(case.number) if _ours(r.kind)}
        for kind, due in wanted.items():
            row = rows.get(kind)
            if row is not None and row.data.get("due") == due.isoformat() and (
                    not row.done or row.data.get("ended") == "repeats"):
                continue  # unchanged: keep its repeats and any snooze
            await uow.reminders.upsert(Reminder(case.number, kind, overdue_from(due),
                                                data={"due": due.isoformat()}))
        for kind, row in rows.items():
            if kind not in wanted and not row.done:
                await uow.reminders.upsert(_ended(row, "cleared"))

    # --- firing ---------------------------------------------------------------------------
    async def _remind_clock(self, uow: UnitOfWork, r: Reminder, case: Case) -> Reminder:
        key = r.kind.split(":", 1)[1]
        clock = next((c for c in clocks_for(case, self.ref.timescales, self.wd)
                      if c.key == key), None)
        if case.closed or clock is None or clock.done:
            return _ended(r, "cleared")
        if not clock.overdue(self.today()):
            r.due_at = overdue_from(clock.due)
            return r
        what = f"the {clock.label} deadline was {clock.describe(self.today())}"
        return await self._send(uow, r, case, await self.owners_of(uow, case), what)

    async def _remind_action(self, uow: UnitOfWork, r: Reminder, case: Case) -> Reminder:
        number = int(r.kind.split(":", 1)[1])
        action = next((a for a in case.actions if a.number == number), None)
        if case.closed or action is None or action.due is None or \
                action.status not in OPEN_ACTION:
            return _ended(r, "cleared")
        if action.due >= self.today():
            r.due_at = overdue_from(action.due)
            return r
        people = [action.owner] if action.owner else await self.owners_of(uow, case)
        late = (self.today() - action.due).days
        what = f"action {number} was due {action.due:%d %b %Y}, {late} day" \
               f"{'s' if late != 1 else ''} overdue"
        return await self._send(uow, r, case, people, what)

    async def _send(self, uow: UnitOfWork, r: Reminder, case: Case, people: list,  # type: ignore[type-arg]
                    what: str) -> Reminder:
        n = case.number
        lead = f"{at(people)}: " if people else ""
        text = f"{lead}reminder for case {n}: {what}."
        await uow.outbox.enqueue(thread_reply(n, text, people, card=f"reminder:{r.kind}",
                                              key=f"reminder:{n}:{r.kind}:{r.due_at:%Y%m%d%H%M}"))
        await self.record(uow, SYSTEM, n, "reminder_sent", {
            "what": "reminder sent", "kind": r.kind, "repeat": r.repeats + 1,
            "to": [p.name for p in people]})
        r.repeats += 1
        if r.repeats >= int(self._rules["max_repeats"]):
            return _ended(r, "repeats")
        r.due_at = self.clock.now() + timedelta(hours=float(self._rules["repeat_hours"]))
        return r

    # --- snooze ---------------------------------------------------------------------------
    async def snooze(self, actor: Actor, number: int, kind: str = "",
                     hours: float | None = None) -> str:
        """Put off the case's running reminders (or one kind) for `hours` (default from data)."""
        hours = float(self._rules["snooze_hours"]) if hours is None else hours
        if not 0 < hours <= SNOOZE_MAX_HOURS:
            raise InvalidInput({"days": "Snooze for between 1 and 14 days."})
        async with self.uow() as uow:
            access = await self.access_in(uow, actor)
            case = await self.load(uow, access, number, "edit_record")
            next_state(case.state, Verb.EDIT)
            rows = [r for r in await uow.reminders.for_case(number)
                    if _ours(r.kind) and not r.done and (not kind or r.kind == kind)]
            if not rows:
                return f"There are no reminders running for case {number}; nothing to snooze."
            until = self.clock.now() + timedelta(hours=hours)
            for r in rows:
                r.snoozed_until = until
                await uow.reminders.upsert(r)
            await self.record(uow, actor, number, "reminder_snoozed", {
                "what": "reminders snoozed", "kinds": [r.kind for r in rows],
                "until": until.isoformat()})
            await uow.commit()
        local = until.astimezone(LONDON)
        count = f"{len(rows)} reminder{'s' if len(rows) != 1 else ''}"
        return f"Case {number}: {count} snoozed until {local:%a %d %b %H:%M}."


def _ended(r: Reminder, why: str) -> Reminder:
    r.done = True
    r.data = {**r.data, "ended": why}
    return r

"""Reminders for the case clocks (Path 1 and Path 2) and review actions, posted in the case
thread, @mentioning whoever owns them:

- "soon:clock:<key>" / "soon:action:<number>": once, `before_working_days` working days before
  the due date (timescales.json "reminders"; 0 turns it off);
- "clock:<key>" / "action:<number>": overdue, from the day after the due date;
- "embargo": an embargoed review, the day after its embargo's end date, to record the
  publication (repeats like the overdue ones).

The worker fires a row at the next tick (a missed tick still fires), only in working hours; an
overdue row repeats every `repeat_hours` until `max_repeats` reminders have gone out. Snoozing
sets the row's `snoozed_until`, which the worker respects.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from ..deadlines import clocks_for
from ..errors import InvalidInput
from ..model import SYSTEM, Actor, Case, State
from ..ports import Reminder, UnitOfWork
from ..states import Verb, next_state
from .path1_common import LONDON, Path1Base, at, thread_reply
from .reminders import ReminderHandler, ReminderService

KINDS = ("clock", "action", "soon", "embargo")
OPEN_ACTION = ("open", "in_progress")
SNOOZE_MAX_HOURS = 14 * 24


def overdue_from(due: date) -> datetime:
    """The first moment a clock due on `due` is overdue: midnight after it, UK time."""
    return datetime.combine(due + timedelta(days=1), time(0), LONDON).astimezone(UTC)


def start_of(day: date) -> datetime:
    """Midnight at the start of `day`, UK time (the worker waits for working hours)."""
    return datetime.combine(day, time(0), LONDON).astimezone(UTC)


def _ours(kind: str) -> bool:
    return kind.split(":", 1)[0] in KINDS


class Path1ReminderService(ReminderService, Path1Base):
    def reminder_handlers(self) -> dict[str, ReminderHandler]:
        return {**super().reminder_handlers(), "clock": self._remind_clock,
                "action": self._remind_action, "soon": self._remind_soon,
                "embargo": self._remind_embargo}

    @property
    def _rules(self) -> dict[str, float]:
        return self.ref.timescales["reminders"]  # type: ignore[no-any-return]

    def wanted_reminders(self, case: Case) -> dict[str, date]:
        """Ledger kind -> due date, for every running clock and open action with a due date
        (overdue, and due soon while the date is still ahead), and an embargo's end."""
        if case.closed:
            if case.state is State.CLOSED_EMBARGOED and case.embargo_until is not None:
                return {"embargo": case.embargo_until}
            return {}
        out = {f"clock:{c.key}": c.due for c in clocks_for(case, self.ref.timescales, self.wd)
               if not c.done}
        out |= {f"action:{a.number}": a.due for a in case.actions
                if a.due is not None and a.status in OPEN_ACTION}
        if self._before_days > 0:
            out |= {f"soon:{kind}": due for kind, due in list(out.items())
                    if due >= self.today()}
        return out

    @property
    def _before_days(self) -> int:
        return int(self._rules.get("before_working_days", 0))

    def _first_due(self, kind: str, due: date) -> datetime:
        """When a ledger row of `kind` for a deadline on `due` first fires."""
        if kind.startswith("soon:"):
            return start_of(self.wd.back(due, self._before_days))
        return overdue_from(due)

    async def sync_reminders(self, uow: UnitOfWork, case: Case) -> None:
        await super().sync_reminders(uow, case)
        wanted = self.wanted_reminders(case)
        rows = {r.kind: r for r in await uow.reminders.for_case(case.number) if _ours(r.kind)}
        for kind, due in wanted.items():
            row = rows.get(kind)
            if row is not None and row.data.get("due") == due.isoformat() and (
                    not row.done or row.data.get("ended") in ("repeats", "sent")):
                continue  # unchanged: keep its repeats and any snooze
            await uow.reminders.upsert(Reminder(case.number, kind, self._first_due(kind, due),
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

    async def _remind_soon(self, uow: UnitOfWork, r: Reminder, case: Case) -> Reminder:
        """Once, before the deadline: "the SIN notification is due on 01 Dec 2026"."""
        what_kind = r.kind.split(":", 1)[1]
        due = self.wanted_reminders(case).get(r.kind)
        if due is None or self.today() > due:
            return _ended(r, "cleared")  # met, gone, or already overdue (that one reminds)
        if self.clock.now() < self._first_due(r.kind, due):
            r.due_at = self._first_due(r.kind, due)  # the date moved later
            return r
        left = self.wd.between(self.today(), due)
        when = f"{due:%d %b %Y}" + (f", {left} working day{'s' if left != 1 else ''} left"
                                     if left > 0 else ", today")
        if what_kind.startswith("action:"):
            number = int(what_kind.split(":", 1)[1])
            action = next(a for a in case.actions if a.number == number)
            people = [action.owner] if action.owner else await self.owners_of(uow, case)
            what = f"action {number} is due on {when}"
        else:
            key = what_kind.split(":", 1)[1]
            clock = next(c for c in clocks_for(case, self.ref.timescales, self.wd)
                         if c.key == key)
            people = await self.owners_of(uow, case)
            what = f"the {clock.label} deadline is {when}"
        sent = await self._send(uow, r, case, people, what)
        return _ended(sent, "sent")

    async def _remind_embargo(self, uow: UnitOfWork, r: Reminder, case: Case) -> Reminder:
        """The day after an embargo's end date: ask the thread to record the publication."""
        until = case.embargo_until
        if case.state is not State.CLOSED_EMBARGOED or until is None:
            return _ended(r, "cleared")
        if self.today() <= until:
            r.due_at = overdue_from(until)
            return r
        n = case.number
        what = (f"the embargo ended on {until:%d %b %Y}. Once the report is published, record "
                f"it with `close case {n} published` and the link to the report")
        return await self._send(uow, r, case, await self.owners_of(uow, case), what)

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
            wanted = self.wanted_reminders(case)
            rows = [r for r in await uow.reminders.for_case(number)
                    if _ours(r.kind) and not r.done and r.kind in wanted
                    and (not kind or r.kind == kind)]
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

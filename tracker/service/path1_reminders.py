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

from ..clock import LONDON
from ..deadlines import clocks_for
from ..model import SYSTEM, Case, State
from ..ports import Reminder, UnitOfWork
from .base import Deps
from .path1_common import at, owners_of, thread_reply
from .writer import Writer

KINDS = ("clock", "action", "soon", "embargo")
OPEN_ACTION = ("open", "in_progress")


def overdue_from(due: date) -> datetime:
    """The first moment a clock due on `due` is overdue: midnight after it, UK time."""
    return datetime.combine(due + timedelta(days=1), time(0), LONDON).astimezone(UTC)


def start_of(day: date) -> datetime:
    """Midnight at the start of `day`, UK time (the worker waits for working hours)."""
    return datetime.combine(day, time(0), LONDON).astimezone(UTC)


def ours(kind: str) -> bool:
    return kind.split(":", 1)[0] in KINDS


class Path1Reminders:
    """The reminder policy for case clocks, review actions and embargoes."""

    kinds: tuple[str, ...] = KINDS

    def __init__(self, deps: Deps) -> None:
        self.d = deps

    async def fire(self, w: Writer, uow: UnitOfWork, r: Reminder, case: Case) -> Reminder:
        remind = {"clock": self._remind_clock, "action": self._remind_action,
                  "soon": self._remind_soon, "embargo": self._remind_embargo}
        return await remind[r.kind.split(":", 1)[0]](w, uow, r, case)

    @property
    def rules(self) -> dict[str, float]:
        return self.d.ref.timescales["reminders"]  # type: ignore[no-any-return]

    def wanted_reminders(self, case: Case) -> dict[str, date]:
        """Ledger kind -> due date, for every running clock and open action with a due date
        (overdue, and due soon while the date is still ahead), and an embargo's end."""
        if case.closed:
            if case.state is State.CLOSED_EMBARGOED and case.embargo_until is not None:
                return {"embargo": case.embargo_until}
            return {}
        out = {f"clock:{c.key}": c.due for c in clocks_for(case, self.d.ref.timescales, self.d.wd)
               if not c.done}
        out |= {f"action:{a.number}": a.due for a in case.actions
                if a.due is not None and a.status in OPEN_ACTION}
        if self._before_days > 0:
            out |= {f"soon:{kind}": due for kind, due in list(out.items())
                    if due >= self.d.today()}
        return out

    @property
    def _before_days(self) -> int:
        return int(self.rules.get("before_working_days", 0))

    def _first_due(self, kind: str, due: date) -> datetime:
        """When a ledger row of `kind` for a deadline on `due` first fires."""
        if kind.startswith("soon:"):
            return start_of(self.d.wd.back(due, self._before_days))
        return overdue_from(due)

    async def sync(self, uow: UnitOfWork, case: Case) -> None:
        wanted = self.wanted_reminders(case)
        rows = {r.kind: r for r in await uow.reminders.for_case(case.number) if ours(r.kind)}
        for kind, due in wanted.items():
            row = rows.get(kind)
            if row is not None and row.data.get("due") == due.isoformat() and (
                    not row.done or row.data.get("ended") in ("repeats", "sent")):
                continue  # unchanged: keep its repeats and any snooze
            await uow.reminders.upsert(Reminder(case.number, kind, self._first_due(kind, due),
                                                data={"due": due.isoformat()}))
        for kind, row in rows.items():
            if kind not in wanted and not row.done:
                await uow.reminders.upsert(ended(row, "cleared"))

    # --- firing ---------------------------------------------------------------------------
    async def _remind_clock(self, w: Writer, uow: UnitOfWork, r: Reminder, case: Case) -> Reminder:
        key = r.kind.split(":", 1)[1]
        clock = next((c for c in clocks_for(case, self.d.ref.timescales, self.d.wd)
                      if c.key == key), None)
        if case.closed or clock is None or clock.done:
            return ended(r, "cleared")
        if not clock.overdue(self.d.today()):
            r.due_at = overdue_from(clock.due)
            return r
        what = f"the {clock.label} deadline was {clock.describe(self.d.today())}"
        return await self._send(w, uow, r, case, await owners_of(uow, case), what)

    async def _remind_action(self, w: Writer, uow: UnitOfWork, r: Reminder, case: Case) -> Reminder:
        number = int(r.kind.split(":", 1)[1])
        action = next((a for a in case.actions if a.number == number), None)
        if case.closed or action is None or action.due is None or \
                action.status not in OPEN_ACTION:
            return ended(r, "cleared")
        if action.due >= self.d.today():
            r.due_at = overdue_from(action.due)
            return r
        people = [action.owner] if action.owner else await owners_of(uow, case)
        late = (self.d.today() - action.due).days
        what = f"action {number} was due {action.due:%d %b %Y}, {late} day" \
               f"{'s' if late != 1 else ''} overdue"
        return await self._send(w, uow, r, case, people, what)

    async def _remind_soon(self, w: Writer, uow: UnitOfWork, r: Reminder, case: Case) -> Reminder:
        """Once, before the deadline: "the SIN notification is due on 01 Dec 2026"."""
        what_kind = r.kind.split(":", 1)[1]
        due = self.wanted_reminders(case).get(r.kind)
        if due is None or self.d.today() > due:
            return ended(r, "cleared")  # met, gone, or already overdue (that one reminds)
        if self.d.clock.now() < self._first_due(r.kind, due):
            r.due_at = self._first_due(r.kind, due)  # the date moved later
            return r
        left = self.d.wd.between(self.d.today(), due)
        when = f"{due:%d %b %Y}" + (f", {left} working day{'s' if left != 1 else ''} left"
                                     if left > 0 else ", today")
        if what_kind.startswith("action:"):
            number = int(what_kind.split(":", 1)[1])
            action = next(a for a in case.actions if a.number == number)
            people = [action.owner] if action.owner else await owners_of(uow, case)
            what = f"action {number} is due on {when}"
        else:
            key = what_kind.split(":", 1)[1]
            clock = next(c for c in clocks_for(case, self.d.ref.timescales, self.d.wd)
                         if c.key == key)
            people = await owners_of(uow, case)
            what = f"the {clock.label} deadline is {when}"
        sent = await self._send(w, uow, r, case, people, what)
        return ended(sent, "sent")

    async def _remind_embargo(self, w: Writer, uow: UnitOfWork, r: Reminder,
                              case: Case) -> Reminder:
        """The day after an embargo's end date: ask the thread to record the publication."""
        until = case.embargo_until
        if case.state is not State.CLOSED_EMBARGOED or until is None:
            return ended(r, "cleared")
        if self.d.today() <= until:
            r.due_at = overdue_from(until)
            return r
        n = case.number
        what = (f"the embargo ended on {until:%d %b %Y}. Once the report is published, record "
                f"it with `close case {n} published` and the link to the report")
        return await self._send(w, uow, r, case, await owners_of(uow, case), what)

    async def _send(self, w: Writer, uow: UnitOfWork, r: Reminder, case: Case, people: list,  # type: ignore[type-arg]
                    what: str) -> Reminder:
        n = case.number
        lead = f"{at(people)}: " if people else ""
        text = f"{lead}reminder for case {n}: {what}."
        await uow.outbox.enqueue(thread_reply(n, text, people, card=f"reminder:{r.kind}",
                                              key=f"reminder:{n}:{r.kind}:{r.due_at:%Y%m%d%H%M}"))
        await w.record(uow, SYSTEM, n, "reminder_sent", {
            "what": "reminder sent", "kind": r.kind, "repeat": r.repeats + 1,
            "to": [p.name for p in people]})
        r.repeats += 1
        if r.repeats >= int(self.rules["max_repeats"]):
            return ended(r, "repeats")
        r.due_at = self.d.clock.now() + timedelta(hours=float(self.rules["repeat_hours"]))
        return r

def ended(r: Reminder, why: str) -> Reminder:
    r.done = True
    r.data = {**r.data, "ended": why}
    return r

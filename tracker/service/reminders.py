"""Reminders from the ledger: one row per case and kind; a missed tick still fires.

The ledger's rows belong to the reminder policies (`policies.ReminderPolicy`, listed in
`REMINDER_POLICIES` in `tracker/service/__init__.py`): the writer asks each to sync its rows on
every change, and `fire` hands a due row to the policy that owns its kind.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..clock import LONDON, london
from ..ports import Reminder
from .policies import ReminderPolicy
from .writer import Writer


class Reminders:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps
        self.policies = w.reminders  # the same list that keeps the ledger in line

    def reminder_handlers(self) -> dict[str, ReminderPolicy]:
        """Kind of ledger row -> the policy that owns it."""
        return {kind: p for p in self.policies for kind in p.kinds}

    def in_working_hours(self, when: datetime) -> bool:
        hours = self.d.options.working_hours
        if hours is None:
            return True
        local = london(when)
        return self.d.wd.is_working_day(local.date()) and hours[0] <= local.time() < hours[1]

    def next_working_time(self, when: datetime) -> datetime:
        """`when` if it is in working hours, else the start of the next working period."""
        hours = self.d.options.working_hours
        if hours is None or self.in_working_hours(when):
            return when
        local = london(when)
        day = local.date()
        if local.time() >= hours[0]:
            day += timedelta(days=1)
        while not self.d.wd.is_working_day(day):
            day += timedelta(days=1)
        return datetime.combine(day, hours[0], tzinfo=LONDON).astimezone(when.tzinfo)

    async def fire(self, reminder: Reminder, respect_hours: bool = True) -> bool:
        """Send one due reminder; False if it was put off (outside working hours, unknown) or
        cleared (the deadline was met or has gone)."""
        now = self.d.clock.now()
        policy = self.reminder_handlers().get(reminder.kind.split(":", 1)[0])
        async with self.w.unit() as uow:
            case = await uow.cases.get(reminder.case_number)
            current = await uow.reminders.get(reminder.case_number, reminder.kind)
            if case is None or current is None or current.done or policy is None:
                return False
            if respect_hours and reminder.data.get("working_hours", True) \
                    and not self.in_working_hours(now):
                current.due_at = self.next_working_time(now)
                await uow.reminders.upsert(current)
                await uow.commit()
                return False
            updated = await policy.fire(self.w, uow, current, case)
            await uow.reminders.upsert(updated)
            await uow.commit()
            return not (updated.done and updated.data.get("ended") == "cleared")

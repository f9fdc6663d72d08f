"""Reminders from the ledger: one row per case and kind; a missed tick still fires.

Each feature registers its reminder kinds in `reminder_handlers()` (a kind is the part of the
ledger key before the first colon, e.g. "clock:cspr_publication" has kind "clock").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..model import Case
from ..ports import Reminder, UnitOfWork
from .base import ServiceBase

LONDON = ZoneInfo("Europe/London")

# A handler sends what is due and returns the ledger row as it should now be stored
# (repeats counted, next due time set, or done=True).
ReminderHandler = Callable[[UnitOfWork, Reminder, Case], Awaitable[Reminder]]


class ReminderService(ServiceBase):
    def reminder_handlers(self) -> dict[str, ReminderHandler]:
        """Kinds of reminder this service knows. Feature mixins extend it via super()."""
        return {}

    def in_working_hours(self, when: datetime) -> bool:
        hours = self.options.working_hours
        if hours is None:
            return True
        local = when.astimezone(LONDON)
        return self.wd.is_working_day(local.date()) and hours[0] <= local.time() < hours[1]

    def next_working_time(self, when: datetime) -> datetime:
        """`when` if it is in working hours, else the start of the next working period."""
        hours = self.options.working_hours
        if hours is None or self.in_working_hours(when):
            return when
        local = when.astimezone(LONDON)
        day = local.date()
        if local.time() >= hours[0]:
            day += timedelta(days=1)
        while not self.wd.is_working_day(day):
            day += timedelta(days=1)
        return datetime.combine(day, hours[0], tzinfo=LONDON).astimezone(when.tzinfo)

    async def fire(self, reminder: Reminder, respect_hours: bool = True) -> bool:
        """Send one due reminder; False if it was put off (outside working hours, unknown) or
        cleared (the deadline was met or has gone)."""
        now = self.clock.now()
        kind = reminder.kind.split(":", 1)[0]
        handler = self.reminder_handlers().get(kind)
        async with self.uow() as uow:
            case = await uow.cases.get(reminder.case_number)
            current = await uow.reminders.get(reminder.case_number, reminder.kind)
            if case is None or current is None or current.done or handler is None:
                return False
            if respect_hours and reminder.data.get("working_hours", True) \
                    and not self.in_working_hours(now):
                current.due_at = self.next_working_time(now)
                await uow.reminders.upsert(current)
                await uow.commit()
                return False
            updated = await handler(uow, current, case)
            await uow.reminders.upsert(updated)
            await uow.commit()
            return not (updated.done and updated.data.get("ended") == "cleared")

    async def sync_reminders(self, uow: UnitOfWork, case: Case) -> None:
        """Bring the case's ledger rows in line with the case (called on every change).

        Feature mixins extend it via super()."""

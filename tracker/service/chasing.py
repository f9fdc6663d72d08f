"""Chasing unacknowledged escalations from the reminder ledger (so a restart loses nothing).

After `options.ack_reminder` the thread gets a reminder that @mentions whoever has not
acknowledged; after `options.ack_escalate` (both from when the escalation was raised) a media
escalation goes to the regional safeguarding lead. Escalations are urgent, so chasing ignores
working hours.
"""

from __future__ import annotations

from datetime import timedelta

from ..clock import london
from ..errors import NotFound
from ..escalation import (
    MEDIA,
    REGIONAL_LEAD,
    SAFEGUARDING_LEAD,
    describe,
    direct,
    find,
    holders_for,
    person,
    refreshed,
    reminder_kind,
)
from ..model import SYSTEM, Case, Escalation, Recipient
from ..ports import Notice, NoticeKind, Reminder, UnitOfWork
from ..states import Verb
from .base import Deps
from .writer import Writer

ACK = "ack"


class AckChasing:
    """The reminder policy for escalations waiting for acknowledgement."""

    kinds: tuple[str, ...] = (ACK,)

    def __init__(self, deps: Deps) -> None:
        self.d = deps

    async def sync(self, uow: UnitOfWork, case: Case) -> None:
        """One ledger row per escalation: started when raised, done once all acknowledged."""
        if not case.escalations:
            return
        rows = {r.kind: r for r in await uow.reminders.for_case(case.number)}
        for esc in case.escalations:
            kind = reminder_kind(esc)
            row = rows.get(kind)
            live = bool(esc.waiting) and not case.closed
            if row is None and live and not esc.chased:
                await uow.reminders.upsert(Reminder(
                    case.number, kind, esc.raised_at + self.d.options.ack_reminder,
                    data={"working_hours": False, "escalation": esc.number}))
            elif row is not None and not row.done and not live:
                row.done = True
                await uow.reminders.upsert(row)

    async def fire(self, w: Writer, uow: UnitOfWork, rem: Reminder, case: Case) -> Reminder:
        try:
            esc = find(case, int(rem.kind.split(":", 1)[1]))
        except (NotFound, ValueError, IndexError):
            esc = None
        if esc is None or not esc.waiting or case.closed:
            rem.done = True
            return rem
        now = self.d.clock.now()
        rem.repeats += 1
        if not esc.chased:
            esc.chased = 1
            await w.apply(uow, SYSTEM, case, Verb.EDIT, "escalation_chased",
                          {"chased": (0, 1)}, [self._reminder(case, esc), *refreshed(case, esc)])
            if esc.kind == MEDIA and not esc.escalated_regional:
                rem.due_at = max(esc.raised_at + self.d.options.ack_escalate, now)
            else:
                rem.done = True
            return rem
        await self._to_regional(w, uow, case, esc)
        rem.done = True
        return rem

    def _reminder(self, case: Case, esc: Escalation) -> Notice:
        waiting = esc.waiting
        names = ", ".join(f"<at>{r.name}</at> ({self.d.ref.role_label(r.role).lower()})"
                          for r in waiting)
        title = describe(esc)
        text = (f"Reminder: the {title} on case {case.number}, raised at "
                f"{london(esc.raised_at):%H:%M}, still needs acknowledging by "
                f"{names}. Please press **Acknowledge** in your 1:1 chat with me, or type "
                f"`ack case {case.number}`.")
        return Notice(NoticeKind.THREAD_REPLY, case.number, text=text,
                      mentions=tuple(person(r) for r in waiting),
                      key=f"esc-remind:{case.number}:{esc.number}")

    async def _to_regional(self, w: Writer, uow: UnitOfWork, case: Case,
                           esc: Escalation) -> None:
        """Still unacknowledged: ask the regional safeguarding lead to follow up."""
        holders = await uow.directory.holders()
        already = {r.aad_id for r in esc.recipients}
        leads = [h for h in holders_for(case, holders, REGIONAL_LEAD)
                 if h.person.aad_id not in already]
        new = [Recipient(role=REGIONAL_LEAD, aad_id=h.person.aad_id, teams_id=h.person.teams_id,
                         name=h.person.name or h.person.upn or "colleague") for h in leads]
        waiting = ", ".join(f"{r.name} ({self.d.ref.role_label(r.role).lower()})"
                            for r in esc.waiting)
        title = describe(esc)
        late = (f"the {title} on case {case.number} has not been acknowledged within "
                f"{_span(self.d.options.ack_escalate)} by {waiting}.")
        if new:
            mentioned = [person(r) for r in new]
            names = " ".join(f"<at>{p.name}</at>" for p in mentioned)
            text = (f"{names}: {late} As regional safeguarding lead, please follow up with "
                    "them. I have sent you the escalation to acknowledge.")
        else:
            mentioned = [h.person.ref for h in holders_for(case, holders, SAFEGUARDING_LEAD)]
            names = " ".join(f"<at>{p.name}</at>" for p in mentioned)
            region = self.d.ref.regions.get(case.region, case.region)
            text = (f"{names + ': ' if names else ''}{late[:1].upper()}{late[1:]} Nobody holds "
                    f"regional safeguarding lead for {region}, so I could not escalate it. "
                    "Please follow up directly.")
            if REGIONAL_LEAD not in esc.missing_roles:
                esc.missing_roles.append(REGIONAL_LEAD)
        esc.recipients.extend(new)
        esc.escalated_regional = True
        notices = [Notice(NoticeKind.THREAD_REPLY, case.number, text=text,
                          mentions=tuple(mentioned),
                          key=f"esc-regional:{case.number}:{esc.number}"),
                   *(direct(case, esc, r) for r in new), *refreshed(case, esc)]
        await w.apply(uow, SYSTEM, case, Verb.EDIT, "escalated_regional",
                      {"escalated_regional": (False, True),
                          "recipients": (None, [r.name for r in new])}, notices)


def _span(delta: timedelta) -> str:
    minutes = delta.total_seconds() / 60
    if minutes >= 1:
        return f"{minutes:g} minute{'s' if minutes != 1 else ''}"
    return f"{delta.total_seconds():g} seconds"

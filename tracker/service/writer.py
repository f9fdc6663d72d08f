"""The one write path every use case holds: who is asking, load with checks, refuse on record,
refuse stale clicks, move the case by the state table, save it (version checked), log one
event, queue notices, bring the reminder ledger in line (`policies.REMINDER_POLICIES`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ..clock import london
from ..deadlines import next_due
from ..errors import AlreadyDone, NotFound, PermissionDenied, StaleVersion
from ..model import SYSTEM, Actor, Case, Decision, PersonRef
from ..permissions import NATIONAL, Access, Grant, can, visible
from ..ports import ConcurrentChange, EventRecord, Notice, UnitOfWork
from ..states import Verb, next_state
from .base import Deps, Outcome, card_update, plain
from .policies import ReminderPolicy


class Refused(Exception):
    """A refusal on its way out of the caller's unit of work: `Writer.unit` rolls that back,
    files `event` in a short transaction of its own, then raises `error` to the caller."""

    def __init__(self, event: EventRecord, error: Exception) -> None:
        super().__init__(str(error))
        self.event, self.error = event, error


@dataclass
class Change:
    """What an edit did: field -> (old, new), notices to send, and the answer for the user."""

    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    message: str = ""
    notices: list[Notice] = field(default_factory=list)
    detail: str = ""


Mutate = Callable[[UnitOfWork, Access, Case], Awaitable[Change]]


class Writer:
    def __init__(self, deps: Deps, reminders: Sequence[ReminderPolicy] = ()) -> None:
        self.deps = deps
        self.reminders = tuple(reminders)

    # --- the unit of work, and refusals in their own -------------------------------------
    @asynccontextmanager
    async def unit(self, read_only: bool = False) -> AsyncIterator[UnitOfWork]:
        """One transaction. A refusal raised inside is rolled back with everything else there,
        then committed on its own, so it is on record whatever the caller had done. A
        `read_only` unit must not write (it may share the turn's read transaction)."""
        try:
            async with self.deps.uow(read_only=read_only) as uow:
                yield uow
        except Refused as refused:
            async with self.deps.uow() as own:
                await own.events.append(refused.event)
                await own.commit()
            raise refused.error from None

    def refuse(self, actor: Actor, number: int | None, data: dict[str, Any],
               error: Exception, kind: str = "permission_denied") -> NoReturn:
        """Refuse: `error` for the caller, and an event on record (see `unit`)."""
        raise Refused(self._event(actor, number, kind, data), error)

    # --- who is asking ---------------------------------------------------------------------
    async def access_in(self, uow: UnitOfWork, actor: Actor) -> Access:
        grants = await uow.directory.grants_for(actor.aad_id)
        if self.is_admin(actor):
            grants = (*grants, Grant("safeguarding_lead", NATIONAL))
        return Access(actor, grants)

    async def access(self, actor: Actor) -> Access:
        async with self.unit(read_only=True) as uow:
            return await self.access_in(uow, actor)

    async def check(self, actor: Actor, action: str, number: int | None = None) -> Access:
        """Refuse (and log the refusal, under case `number` when it exists) unless `actor` may
        do `action` somewhere."""
        async with self.unit(read_only=True) as uow:
            access = await self.access_in(uow, actor)
            if not can(self.deps.ref, access, action, None, ""):
                if number is not None:  # refused as `load` refuses: hidden reads as missing
                    await self.load(uow, access, number, action)
                self.require(access, action)
            return access

    def is_admin(self, actor: Actor) -> bool:
        admins = self.deps.admins
        return bool(admins) and (actor.aad_id.lower() in admins
                                 or (bool(actor.upn) and actor.upn.lower() in admins))

    def require(self, access: Access, action: str, case: Case | None = None) -> None:
        verdict = can(self.deps.ref, access, action, case, case.team_id if case else "")
        if verdict:
            return
        error: Exception = PermissionDenied(verdict.reason)
        if verdict.reason == "not in scope" and case is not None:
            error = NotFound(case.number)
        self.refuse(access.actor, case.number if case else None,
                    {"action": action, "reason": verdict.reason}, error)

    async def load(self, uow: UnitOfWork, access: Access, number: int, action: str) -> Case:
        """The case, if `access` may see it and do `action`; a hidden case is 'not found'.

        Every refusal is an event, filed under the case when it exists (so it shows in the
        case's history), yet the person asking gets the same answer as for a missing case.
        """
        case = await uow.cases.get(number)
        if not access.grants:  # the same polite refusal whether or not the case exists
            self.require(access, action, case)
        if case is None:
            raise NotFound(number)
        if not visible(access, case, case.team_id):
            self.require(access, action, case)  # refuses "not in scope" as not found
            raise NotFound(number)
        self.require(access, action, case)
        return case

    async def check_version(
        self, uow: UnitOfWork, actor: Actor, case: Case, version: int | None, verb: Verb
    ) -> None:
        """A card click carries the version it was drawn from; an old one changes nothing."""
        if version is None or version == case.version:
            return
        recent = await uow.events.history(case.number, 0, 5)  # newest first
        last = next((e for e in recent if "from_version" in e.data), None)
        at = london(last.at) if last is not None else None
        if (last is not None and last.actor_aad_id == actor.aad_id
                and last.data.get("verb") == verb.value
                and last.data.get("from_version") == version):
            raise AlreadyDone(case.number, f"{at:%H:%M}")
        change = ""
        if last is not None:
            change = f"{last.data.get('what', last.kind)} by {last.actor_name} " \
                     f"at {at:%H:%M %d %b}"
        raise StaleVersion(case.number, case.state.label, change)

    # --- writing ---------------------------------------------------------------------------
    def _event(self, actor: Actor, number: int | None, kind: str,
               data: dict[str, Any]) -> EventRecord:
        return EventRecord(case_number=number, kind=kind, actor_teams_id=actor.teams_id,
                           actor_aad_id=actor.aad_id, actor_name=actor.name,
                           at=self.deps.clock.now(), data=data)

    async def record(
        self, uow: UnitOfWork, actor: Actor, number: int | None, kind: str, data: dict[str, Any]
    ) -> None:
        await uow.events.append(self._event(actor, number, kind, data))

    def decide(self, case: Case, actor: Actor, what: str, detail: str = "") -> None:
        case.decisions.append(Decision(what=what, by=actor.display, by_aad=actor.aad_id,
                                       at=self.deps.clock.now(), detail=detail))

    async def apply(
        self, uow: UnitOfWork, actor: Actor, case: Case, verb: Verb, kind: str,
        changes: dict[str, tuple[Any, Any]], notices: Iterable[Notice] = (), detail: str = "",
    ) -> None:
        """Move the case by `verb`, save it (version checked), log one event, queue notices.

        `changes` maps a field to (old, new) and has already been applied to `case`.
        """
        old_state = case.state
        case.state = next_state(case.state, verb)
        expected = case.version
        case.version += 1
        try:
            await uow.cases.save(case, expected,
                                 next_due(case, self.deps.ref.timescales, self.deps.wd))
        except ConcurrentChange:  # someone else's change was committed while we worked
            fresh = await uow.cases.get(case.number)
            if fresh is not None and fresh.version != expected:  # say what it was
                await self.check_version(uow, actor, fresh, expected, verb)
            raise StaleVersion(case.number, "changed by someone else") from None
        data: dict[str, Any] = {
            "what": kind.replace("_", " "), "verb": verb.value, "from_version": expected,
            "changes": {k: {"old": plain(o), "new": plain(n)} for k, (o, n) in changes.items()},
        }
        if old_state != case.state:
            data["changes"]["state"] = {"old": old_state.value, "new": case.state.value}
        if detail:
            data["detail"] = detail
        await self.record(uow, actor, case.number, kind, data)
        for n in notices:
            if n.to is not None and not await self.may_receive(uow, n.to, case):
                continue  # a 1:1 message only to someone who may see the case (on record)
            await uow.outbox.enqueue(n)
        await uow.outbox.enqueue(card_update(case.number))
        await self.sync_reminders(uow, case)

    async def edit(
        self, actor: Actor, number: int, version: int | None, action: str, verb: Verb,
        kind: str, mutate: Mutate,
    ) -> Outcome:
        """Load the case (hidden = not found), refuse stale clicks and illegal moves, let
        `mutate` change it, then save it with one event. Any error leaves it unchanged."""
        async with self.unit() as uow:
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

    async def may_receive(self, uow: UnitOfWork, person: PersonRef, case: Case) -> bool:
        """May `person` get case details in a 1:1 chat? The same check as everywhere: can().
        A recipient left out is part of the change, so it is recorded in the same transaction."""
        who = Actor(teams_id=person.teams_id, aad_id=person.aad_id, name=person.name)
        verdict = can(self.deps.ref, await self.access_in(uow, who), "view", case, case.team_id)
        if not verdict:
            await self.record(uow, SYSTEM, case.number, "recipient_refused", {
                "what": "1:1 message not sent: the recipient may not see this case",
                "recipient": person.name, "recipient_aad_id": person.aad_id})
        return bool(verdict)

    async def sync_reminders(self, uow: UnitOfWork, case: Case) -> None:
        """Every reminder policy brings its ledger rows in line with the case, in order."""
        for policy in self.reminders:
            await policy.sync(uow, case)

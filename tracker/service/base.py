"""Shared machinery of the application service: access, loading, one change = one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..clock import Clock
from ..deadlines import WorkingDays, next_due
from ..errors import AlreadyDone, NotFound, PermissionDenied, StaleVersion
from ..model import SYSTEM, Actor, Case, Decision, PersonRef
from ..permissions import NATIONAL, Access, Grant, can, visible
from ..ports import ConcurrentChange, EventRecord, Notice, NoticeKind, UnitOfWork
from ..reference import Reference
from ..states import Verb, next_state

UK = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Outcome:
    """What a use case returns: the case as it now is, and a confirmation for the user."""

    case: Case
    message: str
    changed: bool = True


@dataclass(frozen=True)
class ServiceOptions:
    """Tunables from configuration that the domain needs."""

    working_hours: tuple[time, time] | None = (time(8, 0), time(18, 0))  # Europe/London
    ack_reminder: timedelta = timedelta(minutes=30)
    ack_escalate: timedelta = timedelta(minutes=60)
    export_base_url: str = ""


class ServiceBase:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        ref: Reference,
        clock: Clock,
        admins: Iterable[str] = (),
        options: ServiceOptions | None = None,
    ) -> None:
        self.uow = uow
        self.ref = ref
        self.clock = clock
        self.options = options or ServiceOptions()
        self.wd = WorkingDays()
        self.admins = frozenset(a.strip().lower() for a in admins if a.strip())

    # --- who is asking ----------------------------------------------------------------
    async def access_in(self, uow: UnitOfWork, actor: Actor) -> Access:
        grants = await uow.directory.grants_for(actor.aad_id)
        if self._is_admin(actor):
            grants = (*grants, Grant("safeguarding_lead", NATIONAL))
        return Access(actor, grants)

    async def access(self, actor: Actor) -> Access:
        async with self.uow() as uow:
            return await self.access_in(uow, actor)

    async def check(self, actor: Actor, action: str, number: int | None = None) -> Access:
        """Refuse (and log the refusal, under case `number` when it exists) unless `actor` may
        do `action` somewhere."""
        async with self.uow() as uow:
            access = await self.access_in(uow, actor)
            if not can(self.ref, access, action, None, ""):
                if number is not None:  # refused as `load` refuses: hidden reads as missing
                    await self.load(uow, access, number, action)
                await self.require(uow, access, action)
            return access

    def _is_admin(self, actor: Actor) -> bool:
        if not self.admins:
            return False
        return actor.aad_id.lower() in self.admins or (
            bool(actor.upn) and actor.upn.lower() in self.admins)

    # --- loading with checks ------------------------------------------------------------
    async def load(
        self, uow: UnitOfWork, access: Access, number: int, action: str
    ) -> Case:
        """The case, if `access` may see it and do `action`; a hidden case is 'not found'.

        Every refusal is an event, filed under the case when it exists (so it shows in the
        case's history), yet the person asking gets the same answer as for a missing case.
        """
        case = await uow.cases.get(number)
        if not access.grants:  # the same polite refusal whether or not the case exists
            await self.require(uow, access, action, case)
        if case is None:
            raise NotFound(number)
        if not visible(access, case, case.team_id):
            await self.require(uow, access, action, case)  # logs "not in scope", NotFound
            raise NotFound(number)
        await self.require(uow, access, action, case)
        return case

    async def require(
        self, uow: UnitOfWork, access: Access, action: str, case: Case | None = None
    ) -> None:
        verdict = can(self.ref, access, action, case, case.team_id if case else "")
        if verdict:
            return
        # A refusal is an event too, committed even though the change is not.
        await self.record(uow, access.actor, case.number if case else None, "permission_denied",
                          {"action": action, "reason": verdict.reason})
        await uow.commit()
        if verdict.reason == "not in scope" and case is not None:
            raise NotFound(case.number)
        raise PermissionDenied(verdict.reason)

    async def check_version(
        self, uow: UnitOfWork, actor: Actor, case: Case, version: int | None, verb: Verb
    ) -> None:
        """A card click carries the version it was drawn from; an old one changes nothing."""
        if version is None or version == case.version:
            return
        recent = await uow.events.history(case.number, 0, 5)  # newest first
        last = next((e for e in recent if "from_version" in e.data), None)
        at = last.at.astimezone(UK) if last is not None else None  # shown in UK time
        if (last is not None and last.actor_aad_id == actor.aad_id
                and last.data.get("verb") == verb.value
                and last.data.get("from_version") == version):
            raise AlreadyDone(case.number, f"{at:%H:%M}")
        change = ""
        if last is not None:
            change = f"{last.data.get('what', last.kind)} by {last.actor_name} " \
                     f"at {at:%H:%M %d %b}"
        raise StaleVersion(case.number, case.state.label, change)

    # --- writing ------------------------------------------------------------------------
    async def record(
        self, uow: UnitOfWork, actor: Actor, number: int | None, kind: str, data: dict[str, Any]
    ) -> None:
        await uow.events.append(EventRecord(
            case_number=number, kind=kind, actor_teams_id=actor.teams_id,
            actor_aad_id=actor.aad_id, actor_name=actor.name, at=self.clock.now(), data=data,
        ))

    def decide(self, case: Case, actor: Actor, what: str, detail: str = "") -> None:
        case.decisions.append(Decision(what=what, by=actor.display, by_aad=actor.aad_id,
                                       at=self.clock.now(), detail=detail))

    async def apply(
        self,
        uow: UnitOfWork,
        actor: Actor,
        case: Case,
        verb: Verb,
        kind: str,
        changes: dict[str, tuple[Any, Any]],
        notices: Iterable[Notice] = (),
        detail: str = "",
    ) -> None:
        """Move the case by `verb`, save it (version checked), log one event, queue notices.

        `changes` maps a field to (old, new) and has already been applied to `case`.
        """
        old_state = case.state
        case.state = next_state(case.state, verb)
        expected = case.version
        case.version += 1
        try:
            await uow.cases.save(case, expected, next_due(case, self.ref.timescales, self.wd))
        except ConcurrentChange:  # someone else's change was committed while we worked
            fresh = await uow.cases.get(case.number)
            if fresh is not None and fresh.version != expected:  # say what it was
                await self.check_version(uow, actor, fresh, expected, verb)
            raise StaleVersion(case.number, "changed by someone else") from None
        data: dict[str, Any] = {
            "what": kind.replace("_", " "),
            "verb": verb.value,
            "from_version": expected,
            "changes": {k: {"old": _plain(o), "new": _plain(n)} for k, (o, n) in changes.items()},
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

    async def may_receive(self, uow: UnitOfWork, person: PersonRef, case: Case) -> bool:
        """May `person` get case details in a 1:1 chat? The same check as everywhere: can()."""
        who = Actor(teams_id=person.teams_id, aad_id=person.aad_id, name=person.name)
        verdict = can(self.ref, await self.access_in(uow, who), "view", case, case.team_id)
        if not verdict:
            await self.record(uow, SYSTEM, case.number, "recipient_refused", {
                "what": "1:1 message not sent: the recipient may not see this case",
                "recipient": person.name, "recipient_aad_id": person.aad_id})
        return bool(verdict)

    async def sync_reminders(self, uow: UnitOfWork, case: Case) -> None:
        """Overridden by ReminderService; the base has no reminders."""


def card_update(number: int) -> Notice:
    return Notice(NoticeKind.CARD_UPDATE, number, card="case")


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        import dataclasses
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    return value

"""Escalations: media interest (the directors, comms) and regional or national escalation.

Each escalation posts one card in the case thread that @mentions everyone addressed, and sends
each of them a 1:1 card to acknowledge. Acknowledgement and chasing are in `acknowledge.py`
and `chasing.py`.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import InvalidInput
from ..escalation import (
    COMMS,
    KIND_TITLES,
    MEDIA,
    NATIONAL,
    REGIONAL,
    SAFEGUARDING_LEAD,
    address,
    addressed_roles,
    gap_notice,
    holders_for,
    level_roles,
    media_roles,
    posted,
)
from ..model import Actor, Case, Escalation, Recipient
from ..ports import Notice, RoleHolder, UnitOfWork
from ..privacy import check_text
from ..states import Verb
from .base import Outcome
from .writer import Writer

NOTE_MAX = 300
REASON_MAX = 600


class Escalations:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps

    async def flag_media(
        self, actor: Actor, number: int, version: int | None = None, note: str = "",
        confirmed: bool = False,
    ) -> Outcome:
        """Flag possible media interest (or confirm media attention) and escalate it."""
        note = _limited("note", note, NOTE_MAX)
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            case = await self.w.load(uow, access, number, "flag_media")
            await self.w.check_version(uow, actor, case, version, Verb.EDIT)
            before = (case.media_interest, case.media_confirmed)
            case.media_interest = True
            case.media_confirmed = case.media_confirmed or confirmed
            reason = "Media attention confirmed" if confirmed else "Possible media interest"
            reason += f": {note}" if note else ""
            esc, notices = await self.media_escalation(uow, actor, case, reason)
            if esc is None and before == (case.media_interest, case.media_confirmed):
                return Outcome(case, f"Case {number} is already flagged for media interest and "
                                     "everyone in the roles has been told. Nothing changed.",
                               changed=False)
            changes: dict[str, tuple[object, object]] = {
                "media_interest": (before[0], True),
                "media_confirmed": (before[1], case.media_confirmed)}
            if esc is not None:
                changes["escalations"] = (None, _summary(esc, self.d.ref.role_label))
            self.w.decide(case, actor, "media interest", reason)
            await self.w.apply(uow, actor, case, Verb.EDIT, "media_flagged", changes, notices,
                               detail=note)
            await uow.commit()
        return Outcome(case, f"Case {number}: {reason.split(':')[0].lower()} recorded. "
                             + _told(self.d.ref.role_label, esc))

    async def escalate(
        self, actor: Actor, number: int, version: int | None, level: str, reason: str
    ) -> Outcome:
        """Escalate to the regional team (and nationally): who escalated and why are kept."""
        level = level.strip().lower()
        if level not in (REGIONAL, NATIONAL):
            raise InvalidInput({"level": "Say regional or national, then why, e.g. `escalate "
                                         "case 42 regional the police asked for a strategy "
                                         "meeting`."})
        reason = _limited("reason", reason, REASON_MAX)
        if not reason:
            raise InvalidInput({"reason": "Say why you are escalating, e.g. `escalate case 42 "
                                          "regional two ICBs involved`."})
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            case = await self.w.load(uow, access, number, "escalate")
            await self.w.check_version(uow, actor, case, version, Verb.EDIT)
            holders = await uow.directory.holders()
            required, optional = level_roles(level)
            rows, missing = address(case, holders, required, optional)
            esc, notices = self._raise(case, actor, level, reason, rows, missing, holders)
            self.w.decide(case, actor, "escalated", f"{KIND_TITLES[level]}: {reason}")
            await self.w.apply(uow, actor, case, Verb.EDIT, "escalated",
                               {"escalations": (None, _summary(esc, self.d.ref.role_label))},
                               notices, detail=reason)
            await uow.commit()
        return Outcome(case, f"Case {number} escalated ({KIND_TITLES[level].lower()}). "
                             + _told(self.d.ref.role_label, esc))

    async def at_intake(self, uow: UnitOfWork, actor: Actor, case: Case) -> None:
        """An intake policy: a case logged with media interest is escalated in the same
        transaction."""
        if not case.media_interest:
            return
        esc, notices = await self.media_escalation(uow, actor, case,
                                                    "Possible media interest (at intake)")
        if esc is not None:
            await self.w.apply(uow, actor, case, Verb.EDIT, "media_flagged",
                               {"escalations": (None, _summary(esc, self.d.ref.role_label))},
                               notices)

    async def media_flagged(self, uow: UnitOfWork, actor: Actor, case: Case) -> list[Notice]:
        """A media policy: media attention flagged by another step (the pre-publication
        briefing) starts the media escalation, with the communications lead asked to
        acknowledge too. The caller saves."""
        _esc, notices = await self.media_escalation(
            uow, actor, case, "Media attention likely (pre-publication briefing)", also=(COMMS,))
        return notices

    async def media_escalation(
        self, uow: UnitOfWork, actor: Actor, case: Case, reason: str, also: tuple[str, ...] = ()
    ) -> tuple[Escalation | None, list[Notice]]:
        """A new media escalation for roles not yet reached; None if there is nobody new."""
        holders = await uow.directory.holders()
        prior = [e for e in case.escalations if e.kind == MEDIA]
        reached = addressed_roles(case, MEDIA)
        wanted = media_roles(self.d.ref, case)
        roles = [r for r in [*wanted, *(a for a in also if a not in wanted)] if r not in reached]
        known_gaps = {m for e in prior for m in e.missing_roles}
        rows, missing = address(case, holders, roles,
                                skip={r.aad_id for e in prior for r in e.recipients})
        if prior and not rows and not set(missing) - known_gaps:
            return None, []
        return self._raise(case, actor, MEDIA, reason, rows, missing, holders)

    def _raise(
        self, case: Case, actor: Actor, kind: str, reason: str, rows: list[Recipient],
        missing: list[str], holders: list[RoleHolder],
    ) -> tuple[Escalation, list[Notice]]:
        esc = Escalation(number=max((e.number for e in case.escalations), default=0) + 1,
                         kind=kind, reason=reason, raised_by=actor.display,
                         raised_at=self.d.clock.now(), recipients=rows, missing_roles=missing)
        case.escalations.append(esc)
        notices = posted(case, esc, rows)
        if missing:
            leads = [h.person.ref for h in holders_for(case, holders, SAFEGUARDING_LEAD)]
            notices.append(gap_notice(self.d.ref, case, esc, leads))
        return esc, notices


def _limited(name: str, text: str, limit: int) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise InvalidInput({name: f"Keep the {name} under {limit} characters."})
    check_text({name: text})
    return text


def _summary(esc: Escalation, label: Callable[[str], str]) -> str:
    people = ", ".join(f"{r.name} ({label(r.role).lower()})" for r in esc.recipients) \
        or "nobody"
    gaps = f"; nobody holds: {', '.join(label(r).lower() for r in esc.missing_roles)}" \
        if esc.missing_roles else ""
    return f"{esc.number} {esc.kind}: {people}{gaps}"


def _told(label: Callable[[str], str], esc: Escalation | None) -> str:
    if esc is None:
        return "Everyone in the roles had already been told."
    names = ", ".join(r.name for r in esc.recipients)
    out = f"I have asked {names} to acknowledge." if names else "Nobody could be told."
    if esc.missing_roles:
        out += " Nobody holds: " + ", ".join(label(r).lower() for r in esc.missing_roles) + "."
    return out

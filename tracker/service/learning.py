"""Learning dissemination (7-minute briefings, events, bulletins) and the gaps in the directory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from ..errors import InvalidInput
from ..escalation import REGIONAL_LEAD, needed_roles
from ..model import Actor, Case, Dissemination
from ..permissions import Scope, ScopeKind
from ..ports import CaseFilter, ChannelRef, RoleHolder
from ..privacy import check_text
from ..states import Verb
from .base import Outcome
from .writer import Writer

AUDIENCE_MAX = 200
LEARNING_SCAN = 500  # cases read for `learning`, newest first
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Shared:
    case: Case
    item: Dissemination


@dataclass(frozen=True)
class Gap:
    locality: str  # display name
    roles: list[str]  # role labels nobody holds there


class Learning:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps

    async def record_learning(
        self, actor: Actor, number: int, version: int | None, kind: str,
        on: date | None, audience: str, today: date,
    ) -> Outcome:
        """Record that learning from the case was shared; it goes on after closure too."""
        option = self.d.ref.option("dissemination_kinds", kind)
        audience = (audience or "").strip()
        if len(audience) > AUDIENCE_MAX:
            raise InvalidInput({"audience": f"Keep the audience under {AUDIENCE_MAX} "
                                            "characters."})
        check_text({"audience": audience})
        on = on or today
        if on > today:
            raise InvalidInput({"on": "Record learning once it has been shared: the date can't "
                                      "be in the future."})
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            case = await self.w.load(uow, access, number, "record_learning")
            await self.w.check_version(uow, actor, case, version, Verb.LEARNING)
            # Labels the record, not a permission: the regional team's dissemination is regional.
            regional = any(g.role == REGIONAL_LEAD and g.scope.covers(case, case.team_id)
                           for g in access.grants)
            item = Dissemination(kind=option.key, on=on, audience=audience, by=actor.display,
                                 level="regional" if regional else "local")
            case.learning.append(item)
            await self.w.apply(uow, actor, case, Verb.LEARNING, "learning_recorded",
                               {"learning": (None, f"{option.label} on {on.isoformat()}")},
                               detail=audience)
            await uow.commit()
        return Outcome(case, f"Recorded for case {number}: {option.label} on {on:%d %b %Y}"
                             + (f" for {audience}" if audience else "") + ".")

    async def learning_shared(self, actor: Actor, locality: str = "") -> list[Shared]:
        """What learning was shared and when, newest first, across the cases the actor sees."""
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            self.w.require(access, "view")
            key = self.d.ref.locality(locality).key if locality.strip() else ""
            flt = CaseFilter(scopes=[g.scope for g in access.grants], open_only=False,
                             locality=key, limit=LEARNING_SCAN)
            cases = await uow.cases.list(flt)
        shared = [Shared(c, d) for c in cases for d in c.learning]
        return sorted(shared, key=lambda s: (s.item.on, s.case.number), reverse=True)

    async def role_gaps(self, actor: Actor, locality: str = "") -> list[Gap]:
        """Per locality in use (or the one named): the roles nobody holds there."""
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            self.w.require(access, "view")
            holders = await uow.directory.holders()
            channels = await uow.directory.channels()
            if locality.strip():
                keys = [self.d.ref.locality(locality).key]
            else:
                # Every case that exists counts, closed ones too (issue 12).
                seen = await uow.cases.list(CaseFilter(scopes=[g.scope for g in access.grants],
                                                       open_only=False, limit=500))
                keys = sorted({c.locality for c in channels if c.locality}
                              | {h.scope.key for h in holders if h.scope.kind is ScopeKind.LOCALITY}
                              | {c.locality for c in seen})
        return [Gap(self.d.ref.localities[k].name, self._missing(k, holders, channels))
                for k in keys if k in self.d.ref.localities]

    def _missing(self, key: str, holders: list[RoleHolder],
                 channels: list[ChannelRef]) -> list[str]:
        loc = self.d.ref.localities[key]
        by_locality = {c.locality: c for c in channels}
        channel = by_locality.get(key) or by_locality.get("")
        # A stand-in case in the locality, so the one coverage rule (Scope.covers) decides.
        probe = Case(number=0, locality=key, region=loc.region, created_at=_EPOCH,
                     reported_by="", summary="", team_id=channel.team_id if channel else "")
        held = {h.role for h in holders if _covers(h.scope, probe)}
        return [self.d.ref.role_label(r) for r in needed_roles(self.d.ref) if r not in held]


def _covers(scope: Scope, probe: Case) -> bool:
    return scope.covers(probe, probe.team_id)

"""Triage and the route decision: Path 1 (case review), Path 2 (SI framework / PSIRF) or NFA."""

from __future__ import annotations

from datetime import date

from ..errors import InvalidInput
from ..model import ROUTE_LABELS, Actor, Route, State
from ..ports import Notice, NoticeKind
from ..privacy import check_text
from ..states import Verb, next_state
from .base import Outcome
from .writer import Writer

REASON_MAX = 600

_ROUTE_VERBS = {Route.PATH1: Verb.ROUTE_PATH1, Route.PATH2: Verb.ROUTE_PATH2,
                Route.NFA: Verb.ROUTE_NFA}


class Triage:
    def __init__(self, w: Writer) -> None:
        self.w, self.d = w, w.deps

    def age_group(self, text: str) -> str:
        """"child", "adult", or "" when not said."""
        return self.d.ref.option("age_groups", text).key if text.strip() else ""

    async def triage(
        self, actor: Actor, number: int, version: int | None, level: str,
        strategy_on: date | None = None, age_group: str = "",
    ) -> Outcome:
        level_key = self.d.ref.option("investigation_levels", level).key
        age = self.age_group(age_group)
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            case = await self.w.load(uow, access, number, "triage")
            await self.w.check_version(uow, actor, case, version, Verb.TRIAGE)
            changes = {"investigation_level": (case.investigation_level, level_key),
                       "strategy_meeting_on": (case.strategy_meeting_on, strategy_on)}
            case.investigation_level = level_key
            case.strategy_meeting_on = strategy_on
            if age and age != case.age_group:
                changes["age_group"] = (case.age_group, age)
                case.age_group = age
            label = self.d.ref.label("investigation_levels", level_key)
            self.w.decide(case, actor, "triage", label)
            await self.w.apply(uow, actor, case, Verb.TRIAGE, "triaged", changes)
            await uow.commit()
        return Outcome(case, f"Case {number} triaged: {label}.")

    async def decide_route(
        self, actor: Actor, number: int, version: int | None, route: Route,
        level: str = "", strategy_on: date | None = None, reason: str = "", age_group: str = "",
    ) -> Outcome:
        reason = reason.strip()
        if route is Route.NFA and not reason:
            raise InvalidInput({"reason": "Give a reason for no further action."})
        check_text({"reason": reason})
        level_key = self.d.ref.option("investigation_levels", level).key if level else ""
        age = self.age_group(age_group)
        verb = _ROUTE_VERBS[route]
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            case = await self.w.load(uow, access, number, "decide_route")
            await self.w.check_version(uow, actor, case, version, verb)
            changes: dict[str, tuple[object, object]] = {"route": (case.route, route)}
            if level_key and level_key != case.investigation_level:
                changes["investigation_level"] = (case.investigation_level, level_key)
                case.investigation_level = level_key
            if strategy_on and strategy_on != case.strategy_meeting_on:
                changes["strategy_meeting_on"] = (case.strategy_meeting_on, strategy_on)
                case.strategy_meeting_on = strategy_on
            if not case.investigation_level:
                raise InvalidInput({"level": "Choose the level of investigation first."})
            if age and age != case.age_group:
                changes["age_group"] = (case.age_group, age)
                case.age_group = age
            case.route = route
            if route is Route.NFA:
                case.close_reason = reason
                changes["close_reason"] = ("", reason)
            if route is Route.PATH2 and not case.framework:
                case.framework = "psirf"
                changes["framework"] = ("", "psirf")
            detail = ROUTE_LABELS[route] + (f": {reason}" if reason else "")
            self.w.decide(case, actor, "route", detail)
            await self.w.apply(uow, actor, case, verb, "route_decided", changes, detail=reason)
            await uow.commit()
        return Outcome(case, f"Case {number} is now on {ROUTE_LABELS[route]}.")

    async def move_to_path1(self, actor: Actor, number: int, version: int | None,
                            reason: str) -> Outcome:
        """A Path 2 case whose case review is agreed later goes to Path 1 (awaiting the
        panel), keeping its record, identifiers, escalations and history."""
        reason = " ".join(reason.split())
        if not reason:
            raise InvalidInput({"reason": f"Say why, e.g. `path1 case {number} the partnership "
                                          "agreed a SAR`."})
        if len(reason) > REASON_MAX:
            raise InvalidInput({"reason": f"Keep the reason under {REASON_MAX} characters."})
        check_text({"reason": reason})
        async with self.w.unit() as uow:
            access = await self.w.access_in(uow, actor)
            case = await self.w.load(uow, access, number, "decide_route")
            await self.w.check_version(uow, actor, case, version, Verb.MOVE_TO_PATH1)
            next_state(case.state, Verb.MOVE_TO_PATH1)  # only from Path 2
            changes: dict[str, tuple[object, object]] = {"route": (case.route, Route.PATH1)}
            case.route = Route.PATH1
            detail = f"moved from Path 2 to {ROUTE_LABELS[Route.PATH1]}: {reason}"
            self.w.decide(case, actor, "route", detail)
            text = (f"Case {number} moved from Path 2 to Path 1 by {actor.display}: {reason}. "
                    "The panel's decision is next; the Path 2 record stays on the case.")
            notice = Notice(NoticeKind.THREAD_REPLY, number, text=text,
                            key=f"path1:{number}:{case.version}")
            await self.w.apply(uow, actor, case, Verb.MOVE_TO_PATH1, "moved_to_path1", changes,
                               [notice], detail=reason)
            await uow.commit()
        assert case.state is State.PANEL
        return Outcome(case, f"Case {number} is now on {ROUTE_LABELS[Route.PATH1]}, awaiting the "
                             "panel's decision.")

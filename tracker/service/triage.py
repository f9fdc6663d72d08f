"""Triage and the route decision: Path 1 (case review), Path 2 (SI framework / PSIRF) or NFA."""

from __future__ import annotations

from datetime import date

from ..errors import InvalidInput
from ..model import ROUTE_LABELS, Actor, Route
from ..privacy import check_text
from ..states import Verb
from .base import Outcome, ServiceBase

_ROUTE_VERBS = {Route.PATH1: Verb.ROUTE_PATH1, Route.PATH2: Verb.ROUTE_PATH2,
                Route.NFA: Verb.ROUTE_NFA}


class TriageService(ServiceBase):
    async def triage(
        self, actor: Actor, number: int, version: int | None, level: str,
        strategy_on: date | None = None,
    ) -> Outcome:
        level_key = self.ref.option("investigation_levels", level).key
        async with self.uow() as uow:
            access = await self.access_in(uow, actor)
            case = await self.load(uow, access, number, "triage")
            await self.check_version(uow, actor, case, version, Verb.TRIAGE)
            changes = {"investigation_level": (case.investigation_level, level_key),
                       "strategy_meeting_on": (case.strategy_meeting_on, strategy_on)}
            case.investigation_level = level_key
            case.strategy_meeting_on = strategy_on
            label = self.ref.label("investigation_levels", level_key)
            self.decide(case, actor, "triage", label)
            await self.apply(uow, actor, case, Verb.TRIAGE, "triaged", changes)
            await uow.commit()
        return Outcome(case, f"Case {number} triaged: {label}.")

    async def decide_route(
        self, actor: Actor, number: int, version: int | None, route: Route,
        level: str = "", strategy_on: date | None = None, reason: str = "",
    ) -> Outcome:
        reason = reason.strip()
        if route is Route.NFA and not reason:
            raise InvalidInput({"reason": "Give a reason for no further action."})
        check_text({"reason": reason})
        level_key = self.ref.option("investigation_levels", level).key if level else ""
        verb = _ROUTE_VERBS[route]
        async with self.uow() as uow:
            access = await self.access_in(uow, actor)
            case = await self.load(uow, access, number, "decide_route")
            await self.check_version(uow, actor, case, version, verb)
            changes: dict[str, tuple[object, object]] = {"route": (case.route, route)}
            if level_key and level_key != case.investigation_level:
                changes["investigation_level"] = (case.investigation_level, level_key)
                case.investigation_level = level_key
            if strategy_on and strategy_on != case.strategy_meeting_on:
                changes["strategy_meeting_on"] = (case.strategy_meeting_on, strategy_on)
                case.strategy_meeting_on = strategy_on
            if not case.investigation_level:
                raise InvalidInput({"level": "Choose the level of investigation first."})
            case.route = route
            if route is Route.NFA:
                case.close_reason = reason
                changes["close_reason"] = ("", reason)
            if route is Route.PATH2 and not case.framework:
                case.framework = "psirf"
                changes["framework"] = ("", "psirf")
            detail = ROUTE_LABELS[route] + (f": {reason}" if reason else "")
            self.decide(case, actor, "route", detail)
            await self.apply(uow, actor, case, verb, "route_decided", changes, detail=reason)
            await uow.commit()
        return Outcome(case, f"Case {number} is now on {ROUTE_LABELS[route]}.")

"""Card actions: a typed payload, one handler per verb, the same path for Execute and Submit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cards.actions import CardVerb
from cards.banner import with_banner
from cards.case_card import case_card, case_snapshot
from cards.intake_card import intake_card
from cards.notice import notice_card
from teams_bot.turns.context import Ctx
from tracker.errors import InvalidInput
from tracker.model import Route
from tracker.privacy import mask
from tracker.states import Verb


@dataclass(frozen=True)
class CardAction:
    """What every card button sends: a verb, usually a case and the version the card showed."""

    verb: str
    case: int | None = None
    version: int | None = None
    inputs: Mapping[str, Any] = field(default_factory=dict)

    def text(self, key: str, limit: int = 2000) -> str:
        value = self.inputs.get(key, "")
        if value is None:
            return ""
        if not isinstance(value, str | int | float | bool):
            raise InvalidInput({key: "Must be text."})
        out = str(value).strip()
        if len(out) > limit:
            raise InvalidInput({key: f"Keep this under {limit} characters."})
        return out

    def day(self, key: str) -> date | None:
        value = self.text(key, 40)
        if not value:
            return None
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            raise InvalidInput({key: "Use a date like 2026-11-27."}) from None

    def need_case(self) -> int:
        if self.case is None:
            raise InvalidInput({"case": "This button has no case number; please use a fresh card."})
        return self.case


def parse_action(data: Any) -> CardAction:
    """Validate the raw action data; anything malformed is a polite InvalidInput."""
    if not isinstance(data, Mapping):
        raise InvalidInput({"action": "That button sent nothing I understand."})
    verb = data.get("verb")
    if not isinstance(verb, str) or not verb:
        raise InvalidInput({"action": "That button sent nothing I understand."})
    case, version = data.get("case"), data.get("version")
    for name, value in (("case", case), ("version", version)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | str)
                                  or not str(value).isdigit() or len(str(value)) > 9):
            raise InvalidInput({name: "That card is damaged; ask for a fresh one with `case N`."})
    inputs = {k: v for k, v in data.items() if k not in ("verb", "case", "version", "msteams")}
    return CardAction(verb, int(case) if case is not None else None,
                      int(version) if version is not None else None, inputs)


@dataclass(frozen=True)
class ActionResult:
    """The card to show the clicker now (Execute), and a message (Submit fallback / banner)."""

    card: dict[str, Any] | None
    text: str = ""
    tone: str = "ok"


ActionHandler = Callable[[Ctx, CardAction], Awaitable[ActionResult]]


async def _case_result(ctx: Ctx, number: int, message: str) -> ActionResult:
    case = await ctx.service.get_case(ctx.actor, number)
    return ActionResult(with_banner(case_card(ctx.view(case)), message, "ok"), message)


async def triage(ctx: Ctx, a: CardAction) -> ActionResult:
    level = a.text("level", 80)
    if not level:
        raise InvalidInput({"level": "Choose the level of investigation."})
    out = await ctx.service.triage(ctx.actor, a.need_case(), a.version, level,
                                   a.day("strategy_meeting_on"), a.text("age_group", 40))
    return ActionResult(with_banner(case_card(ctx.view(out.case)), out.message, "ok"),
                        out.message)


def _route(route: Route) -> ActionHandler:
    async def handle(ctx: Ctx, a: CardAction) -> ActionResult:
        out = await ctx.service.decide_route(
            ctx.actor, a.need_case(), a.version, route, level=a.text("level", 80),
            strategy_on=a.day("strategy_meeting_on"), reason=a.text("reason", 1000),
            age_group=a.text("age_group", 40))
        return ActionResult(with_banner(case_card(ctx.view(out.case)), out.message, "ok"),
                            out.message)
    return handle


async def intake_submit(ctx: Ctx, a: CardAction) -> ActionResult:
    values = dict(a.inputs)
    try:
        form = ctx.service.parse_intake(values, ctx.today)
    except InvalidInput as e:  # the form comes back as typed, less any patient details
        shown = {k: mask(v) if isinstance(v, str) else v for k, v in values.items()}
        card = intake_card(ctx.services.ref, shown, e.errors)
        return ActionResult(card, "Please check the form: " + str(e), "error")
    case, created = await ctx.service.log_incident(ctx.actor, form)
    if created:
        msg = (f"Case {case.number} logged. I have started its thread in the safeguarding "
               "channel.")
    else:
        msg = f"That incident is already case {case.number}; nothing new was created."
    return ActionResult(notice_card(f"Case {case.number}", msg, tone="good"), msg)


async def refresh(ctx: Ctx, a: CardAction) -> ActionResult:
    """Refresh on the thread's own card: the live card again."""
    case = await ctx.service.get_case(ctx.actor, a.need_case())
    if not ctx.details_allowed():
        text = f"Case {case.number}: ask in the safeguarding channel for details."
        return ActionResult(None, text, "info")
    return ActionResult(case_card(ctx.view(case)), "")


async def show_case(ctx: Ctx, a: CardAction) -> ActionResult:
    """"Open case" on a list, agenda or reminder: that card becomes a snapshot of the case,
    which nothing updates later, so it has no live buttons."""
    case = await ctx.service.get_case(ctx.actor, a.need_case())
    if not ctx.details_allowed():
        text = f"Case {case.number}: ask in the safeguarding channel for details."
        return ActionResult(None, text, "info")
    return ActionResult(case_snapshot(ctx.view(case), ctx.services.clock.now()), "")


# verb -> (the permission it needs, handler). Feature modules keep their own dicts; see
# teams_bot/verbs.py, which joins them.
HANDLERS: dict[str, tuple[str, ActionHandler]] = {
    CardVerb.TRIAGE: ("triage", triage),
    CardVerb.ROUTE_PATH1: ("decide_route", _route(Route.PATH1)),
    CardVerb.ROUTE_PATH2: ("decide_route", _route(Route.PATH2)),
    CardVerb.ROUTE_NFA: ("decide_route", _route(Route.NFA)),
    CardVerb.INTAKE_SUBMIT: ("log_incident", intake_submit),
    CardVerb.REFRESH: ("view", refresh),
    CardVerb.SHOW_CASE: ("view", show_case),
}

# card verb -> the state-machine verbs it can apply (tests/test_states.py reads these).
MOVES: dict[str, tuple[Verb, ...]] = {
    CardVerb.TRIAGE: (Verb.TRIAGE,),
    CardVerb.ROUTE_PATH1: (Verb.ROUTE_PATH1,),
    CardVerb.ROUTE_PATH2: (Verb.ROUTE_PATH2,),
    CardVerb.ROUTE_NFA: (Verb.ROUTE_NFA,),
}

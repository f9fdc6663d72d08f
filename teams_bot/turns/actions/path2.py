"""Card buttons for Path 2: acknowledge, flag media interest, escalate, the Path 2 record and
learning. Execute and its Submit fallback arrive here the same way."""

from __future__ import annotations

from cards.actions import CardVerb
from cards.banner import with_banner
from cards.case_card import case_card
from cards.escalation import ack_card, escalation_card
from cards.path2 import ID_INPUTS
from teams_bot.turns.actions.core import ActionHandler, ActionResult, CardAction
from teams_bot.turns.context import Ctx
from tracker.errors import InvalidInput
from tracker.service.base import Outcome
from tracker.service.path2 import Path2Update
from tracker.states import Verb


def _flag(a: CardAction, key: str) -> bool | None:
    value = a.text(key, 10).lower()
    if value in ("", "none"):
        return None
    if value not in ("true", "false"):
        raise InvalidInput({key: "Must be true or false."})
    return value == "true"


def _esc_number(a: CardAction) -> int:
    value = a.text("esc", 9)
    if not value.isdigit():
        raise InvalidInput({"esc": "That card is damaged; ask for a fresh one with `case N`."})
    return int(value)


def _case_answer(ctx: Ctx, out: Outcome) -> ActionResult:
    tone = "ok" if out.changed else "info"
    return ActionResult(with_banner(case_card(ctx.view(out.case)), out.message, tone),
                        out.message, tone)


async def ack(ctx: Ctx, a: CardAction) -> ActionResult:
    """From the 1:1 card (`who` is its addressee) or the thread card (the clicker's own row)."""
    who = a.text("who", 80)
    done = await ctx.service.acknowledge(ctx.actor, a.need_case(), _esc_number(a), who)
    ref = ctx.services.ref
    if who:
        return ActionResult(ack_card(done.case, done.escalation, done.recipient, ref),
                            done.message)
    card = escalation_card(done.case, done.escalation, ref)
    return ActionResult(with_banner(card, done.message, "ok" if done.changed else "info"),
                        done.message)


async def flag_media(ctx: Ctx, a: CardAction) -> ActionResult:
    out = await ctx.service.flag_media(ctx.actor, a.need_case(), a.version,
                                       a.text("media_note", 300),
                                       bool(_flag(a, "media_confirmed")))
    return _case_answer(ctx, out)


async def escalate(ctx: Ctx, a: CardAction) -> ActionResult:
    out = await ctx.service.escalate(ctx.actor, a.need_case(), a.version,
                                     a.text("esc_level", 20) or "regional",
                                     a.text("esc_reason", 600))
    return _case_answer(ctx, out)


async def path2_record(ctx: Ctx, a: CardAction) -> ActionResult:
    upd = Path2Update(
        framework=a.text("p2_framework", 80) or None,
        response_type=a.text("p2_response", 80) or None,
        identifiers=tuple((kind, a.text(key, 40)) for key, kind in ID_INPUTS.items()),
        report_72h_on=a.day("p2_report_72h_on"),
        investigation_due_on=a.day("p2_investigation_due_on"),
        specialist_commissioned=_flag(a, "p2_specialist"))
    return _case_answer(ctx, await ctx.service.update_path2(ctx.actor, a.need_case(), a.version,
                                                            upd, ctx.today))


async def record_learning(ctx: Ctx, a: CardAction) -> ActionResult:
    kind = a.text("learn_kind", 80)
    if not kind:
        raise InvalidInput({"learn_kind": "Choose what was shared."})
    out = await ctx.service.record_learning(ctx.actor, a.need_case(), a.version, kind,
                                            a.day("learn_on"), a.text("learn_audience", 200),
                                            ctx.today)
    return _case_answer(ctx, out)


HANDLERS: dict[str, tuple[str, ActionHandler]] = {
    CardVerb.ACK: ("acknowledge", ack),
    CardVerb.FLAG_MEDIA: ("flag_media", flag_media),
    CardVerb.ESCALATE: ("escalate", escalate),
    CardVerb.PATH2_RECORD: ("edit_record", path2_record),
    CardVerb.RECORD_LEARNING: ("record_learning", record_learning),
}

# card verb -> the state-machine verbs it can apply (tests/test_states.py reads these).
MOVES: dict[str, tuple[Verb, ...]] = {
    CardVerb.ACK: (Verb.ACKNOWLEDGE,),
    CardVerb.FLAG_MEDIA: (Verb.EDIT,),
    CardVerb.ESCALATE: (Verb.EDIT,),
    CardVerb.PATH2_RECORD: (Verb.EDIT,),
    CardVerb.RECORD_LEARNING: (Verb.LEARNING,),
}

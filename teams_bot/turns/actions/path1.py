"""Card buttons for Path 1: the panel decision, the record forms, closing, the agenda's
"Discussed" and a reminder's "Snooze". Input ids are those of cards/path1_forms.py."""

from __future__ import annotations

from cards.actions import CardVerb
from cards.agenda import agenda_card
from cards.banner import with_banner
from cards.case_card import case_card
from cards.notice import notice_card
from teams_bot.turns.actions.core import ActionHandler, ActionResult, CardAction
from teams_bot.turns.context import Ctx
from tracker.errors import InvalidInput, TrackerError
from tracker.privacy import NeedsConfirmation
from tracker.record_fields import ID_FIELDS
from tracker.service import Outcome
from tracker.service.closing import CloseRequest
from tracker.states import Verb

LIMIT = 2000


def case_result(ctx: Ctx, out: Outcome) -> ActionResult:
    """The case card as it now is, with the outcome on top (the thread's copy updates too)."""
    tone = "ok" if out.changed else "info"
    return ActionResult(with_banner(case_card(ctx.view(out.case)), out.message, tone),
                        out.message, tone)


async def panel_decision(ctx: Ctx, a: CardAction) -> ActionResult:
    out = await ctx.service.panel_decision(ctx.actor, a.need_case(), a.version,
                                           a.text("panel_type", 40), a.day("panel_on"),
                                           a.text("panel_reason", LIMIT))
    return case_result(ctx, out)


async def edit_record(ctx: Ctx, a: CardAction) -> ActionResult:
    values = {key[4:]: a.text(key, LIMIT) for key in a.inputs
              if key.startswith("upd_") and key not in ("upd_id_kind", "upd_id_value")}
    kind, value = a.text("upd_id_kind", 40), a.text("upd_id_value", 80)
    if value:
        if kind not in ID_FIELDS:
            raise InvalidInput({"upd_id_kind": "Choose the kind of identifier to add."})
        values[kind] = value
    out = await ctx.service.update_record(ctx.actor, a.need_case(), a.version, values)
    return case_result(ctx, out)


async def add_action(ctx: Ctx, a: CardAction) -> ActionResult:
    out = await ctx.service.add_action(ctx.actor, a.need_case(), a.version,
                                       a.text("act_text", LIMIT), None, a.day("act_due"))
    return case_result(ctx, out)


async def action_status(ctx: Ctx, a: CardAction) -> ActionResult:
    number, status = a.text("act_number", 9), a.text("act_status", 40)
    if not number.isdigit() or not status:
        raise InvalidInput({"act_number": "Choose the action and its new status."})
    out = await ctx.service.set_action_status(ctx.actor, a.need_case(), a.version, int(number),
                                              status)
    return case_result(ctx, out)


NOTES = {"nl_comment": "comment", "nl_recommendation": "recommendation",
         "nl_theme": "learning_theme"}


async def add_notes(ctx: Ctx, a: CardAction) -> ActionResult:
    values = {field: a.text(key, LIMIT) for key, field in NOTES.items() if a.text(key, LIMIT)}
    if not values:
        raise InvalidInput({"notes": "Fill in at least one box, then press Add to record."})
    out = await ctx.service.update_record(ctx.actor, a.need_case(), a.version, values)
    return case_result(ctx, out)


async def briefing(ctx: Ctx, a: CardAction) -> ActionResult:
    out = await ctx.service.record_briefing(ctx.actor, a.need_case(), a.version,
                                            a.day("brief_on"),
                                            a.text("brief_media", 10).lower() == "true")
    return case_result(ctx, out)


async def close_case(ctx: Ctx, a: CardAction) -> ActionResult:
    """The Close form of a case review, or of a Path 2 case (outcome and reason only)."""
    outcome = a.text("close_outcome", 40)
    if not outcome:
        raise InvalidInput({"close_outcome": "Choose how the case closes."})
    published = outcome.lower() == "published"
    out = await ctx.service.close(ctx.actor, a.need_case(), a.version, CloseRequest(
        outcome, url=a.text("close_url", 600) if published else "",
        on=a.day("close_on") if published else None, signed_off=a.day("close_signed_off"),
        until=a.day("close_until") if outcome.lower() == "embargoed" else None,
        reason=a.text("close_reason", LIMIT),
        qa_on=a.day("close_qa_on") if published else None,
        without_briefing=a.text("close_no_briefing", 10).lower() == "true"))
    return case_result(ctx, out)


async def move_to_path1(ctx: Ctx, a: CardAction) -> ActionResult:
    """From the Path 2 card's Close form: a case review was agreed, so on to Path 1."""
    out = await ctx.service.move_to_path1(ctx.actor, a.need_case(), a.version,
                                          a.text("close_reason", LIMIT))
    return case_result(ctx, out)


async def discussed(ctx: Ctx, a: CardAction) -> ActionResult:
    """Record the discussion, then redraw the agenda the button came from."""
    n = a.need_case()
    locality = a.text("locality", 80)
    try:
        out = await ctx.service.record_discussion(ctx.actor, n, None, a.day(f"discussed_on_{n}"),
                                                  a.text(f"discussed_note_{n}", LIMIT))
        message, tone = out.message, ("ok" if out.changed else "info")
    except NeedsConfirmation:
        raise  # the bot asks the writer to confirm, then runs this again
    except TrackerError as e:
        message, tone = _plain(e), "error"
    if not ctx.details_allowed():
        return ActionResult(None, message, tone)
    cases = await ctx.service.agenda(ctx.actor, locality)
    where = ctx.services.ref.locality(locality).name if locality else ""
    card = agenda_card([ctx.view(c) for c in cases], where, locality)
    return ActionResult(with_banner(card, message, tone), message, tone)


def _plain(error: TrackerError) -> str:
    if isinstance(error, InvalidInput):
        return " ".join(error.errors.values())
    return str(error)


async def snooze(ctx: Ctx, a: CardAction) -> ActionResult:
    message = await ctx.service.snooze(ctx.actor, a.need_case(), a.text("kind", 80))
    return ActionResult(notice_card("Reminder snoozed", message, tone="good"), message)


HANDLERS: dict[str, tuple[str, ActionHandler]] = {
    CardVerb.PANEL_DECISION: ("panel_decision", panel_decision),
    CardVerb.EDIT_RECORD: ("edit_record", edit_record),
    CardVerb.ADD_ACTION: ("edit_record", add_action),
    CardVerb.ACTION_STATUS: ("edit_record", action_status),
    CardVerb.ADD_NOTES: ("edit_record", add_notes),
    CardVerb.BRIEFING: ("edit_record", briefing),
    CardVerb.CLOSE_CASE: ("close", close_case),
    CardVerb.MOVE_TO_PATH1: ("decide_route", move_to_path1),
    CardVerb.DISCUSSED: ("edit_record", discussed),
    CardVerb.SNOOZE: ("edit_record", snooze),
}

# card verb -> the state-machine verbs it can apply (tests/test_states.py reads these).
MOVES: dict[str, tuple[Verb, ...]] = {
    CardVerb.PANEL_DECISION: (Verb.PANEL_RAPID_REVIEW, Verb.PANEL_REVIEW, Verb.PANEL_NO_REVIEW),
    CardVerb.EDIT_RECORD: (Verb.EDIT,),
    CardVerb.ADD_ACTION: (Verb.EDIT,),
    CardVerb.ACTION_STATUS: (Verb.EDIT,),
    CardVerb.ADD_NOTES: (Verb.EDIT,),
    CardVerb.BRIEFING: (Verb.EDIT,),
    CardVerb.CLOSE_CASE: (Verb.CLOSE_PUBLISHED, Verb.CLOSE_EMBARGOED, Verb.CLOSE_NOT_PUBLISHED,
                          Verb.CLOSE_SI),
    CardVerb.MOVE_TO_PATH1: (Verb.MOVE_TO_PATH1,),
    CardVerb.DISCUSSED: (Verb.EDIT,),
}

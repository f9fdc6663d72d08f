"""Controls for a case on Path 2 (SI framework / PSIRF): the Path 2 record, escalations and
learning shared, and forms to update the record, flag media interest, escalate and record
learning.

Inputs read by the bot: p2_framework, p2_response, p2_steis, p2_lfpse, p2_local,
p2_report_72h_on, p2_investigation_due_on, p2_specialist (path2_record); media_note,
media_confirmed (flag_media); esc_level, esc_reason (escalate); learn_kind, learn_on,
learn_audience (record_learning).
"""

from __future__ import annotations

from microsoft_teams.cards import Action, CardElement, ShowCardAction

from tracker.escalation import KIND_TITLES
from tracker.model import Case, IdKind
from tracker.views import CaseView

from .actions import CardVerb
from .components import (
    choice_input,
    date_input,
    day,
    execute,
    facts,
    line,
    section,
    status,
    sub_card,
    text_input,
    toggle,
)
from .controls import Controls

LEGACY = "sif_2015"
MAX_LINES = 5  # escalations and learning shown; the rest is in the case history


def path2_controls(view: CaseView) -> Controls:
    case = view.case
    n, v = case.number, case.version
    actions: list[Action] = [_record_form(view), _media_form(case), _escalate_form(case),
                             _learning_form(view), close_or_move_form(view)]
    del n, v  # no Refresh: the thread's card updates in place, and five fit on a phone
    return Controls(body=path2_summary(view), actions=actions)


def path2_closed_controls(view: CaseView) -> Controls:
    """A closed SI case is read-only, but learning from it is still shared."""
    return Controls(body=path2_summary(view), actions=[_learning_form(view)])


def path2_summary(view: CaseView) -> list[CardElement]:
    """The SI dates, escalations and learning, as stacked lines that read on a phone."""
    case = view.case
    out: list[CardElement] = [section("Path 2")]
    shown = {c.key for c in view.clocks}  # a running clock shows its own due date
    legacy = facts([("72-hour report received", day(case.report_72h_on) or "Awaited"),
                    ("Investigation due", "" if "si_investigation" in shown
                     else day(case.investigation_due_on))]) \
        if case.framework == LEGACY else None
    if legacy:
        out.append(legacy)
    for esc in case.escalations[-MAX_LINES:]:
        total, left = len(esc.recipients), len(esc.waiting)
        state = f"{total - left} of {total} acknowledged" if total else "nobody to ask"
        if esc.missing_roles:
            state += f", {len(esc.missing_roles)} role(s) unfilled"
        if esc.escalated_regional:
            state += ", passed to the regional lead"
        out.append(status(f"{KIND_TITLES.get(esc.kind, 'Escalation')} {esc.number}: {state}",
                          "warning" if left else None, small=True))
    for item in case.learning[-MAX_LINES:]:
        kind = view.ref.label("dissemination_kinds", item.kind)
        out.append(line(f"Learning: {kind}, {day(item.on)} ({item.level})", small=True))
    if len(out) == 1:
        out.append(line("No escalations or learning recorded yet.", subtle=True, small=True))
    return out


def close_or_move_form(view: CaseView) -> ShowCardAction:
    """Close the Path 2 case with an outcome (options.json "si_outcomes"), or move it to
    Path 1 when a case review is agreed. Both read `close_reason`."""
    case = view.case
    outcomes = [(o.key, o.label) for o in view.ref.options["si_outcomes"]]
    body: list[CardElement] = [
        choice_input("close_outcome", "Outcome (to close)", outcomes,
                     placeholder="Completed, de-logged or no further action"),
        text_input("close_reason", "Reason", multiline=True, max_length=600,
                   placeholder="No names or other patient identifiers."),
        line("If a case review (CSPR, SAR or DHR) has been agreed, move the case to Path 1 "
             "instead: its record and history stay with it.", subtle=True, small=True),
    ]
    buttons = [execute("Close case", CardVerb.CLOSE_CASE, case.number, case.version),
               execute("Move to Path 1", CardVerb.MOVE_TO_PATH1, case.number, case.version)]
    return ShowCardAction(title="Close", card=sub_card(body, buttons))


def _record_form(view: CaseView) -> ShowCardAction:
    case, ref = view.case, view.ref
    frameworks = [(o.key, o.label) for o in ref.options["frameworks"]]
    responses = [(o.key, o.label) for o in ref.options["response_types"]]
    body: list[CardElement] = [
        choice_input("p2_framework", "Framework", frameworks, case.framework),
        choice_input("p2_response", "Learning response", responses, case.response_type,
                     placeholder="Choose a response"),
        text_input("p2_steis", "Add StEIS number", max_length=40),
        text_input("p2_lfpse", "Add LFPSE reference", max_length=40),
        text_input("p2_local", "Add local reference", max_length=40),
        date_input("p2_report_72h_on", "72-hour report received (SIF 2015)",
                   case.report_72h_on),
        date_input("p2_investigation_due_on", "Investigation due (SIF 2015)",
                   case.investigation_due_on),
        toggle("p2_specialist", "Specialist commissioned", "Specialist commissioned patient",
               case.specialist_commissioned),
    ]
    save = execute("Save record", CardVerb.PATH2_RECORD, case.number, case.version)
    return ShowCardAction(title="Update record", card=sub_card(body, [save]))


def _media_form(case: Case) -> ShowCardAction:
    body: list[CardElement] = [
        toggle("media_confirmed", "Media attention", "Media attention is confirmed",
               case.media_confirmed),
        text_input("media_note", "Note (optional)", max_length=300, multiline=True,
                   placeholder="E.g. local paper asked. No patient details."),
    ]
    go = execute("Flag and escalate", CardVerb.FLAG_MEDIA, case.number, case.version)
    return ShowCardAction(title="Media interest", card=sub_card(body, [go]))


def _escalate_form(case: Case) -> ShowCardAction:
    levels = [("regional", "Regional team"), ("national", "National team")]
    body: list[CardElement] = [
        choice_input("esc_level", "Escalate to", levels, "regional", required=True,
                     error="Choose regional or national."),
        text_input("esc_reason", "Why", required=True, error="Say why you are escalating.",
                   multiline=True, max_length=600, placeholder="No patient details."),
    ]
    go = execute("Escalate now", CardVerb.ESCALATE, case.number, case.version)
    return ShowCardAction(title="Escalate", card=sub_card(body, [go]))


def _learning_form(view: CaseView) -> ShowCardAction:
    case = view.case
    kinds = [(o.key, o.label) for o in view.ref.options["dissemination_kinds"]]
    body: list[CardElement] = [
        choice_input("learn_kind", "What was shared", kinds, required=True,
                     error="Choose what was shared.", placeholder="Choose one"),
        date_input("learn_on", "When (blank = today)"),
        text_input("learn_audience", "Shared with (optional)", max_length=200),
    ]
    go = execute("Record learning", CardVerb.RECORD_LEARNING, case.number, case.version)
    return ShowCardAction(title="Learning shared", card=sub_card(body, [go]))


ID_INPUTS = {"p2_steis": IdKind.STEIS, "p2_lfpse": IdKind.LFPSE, "p2_local": IdKind.LOCAL}

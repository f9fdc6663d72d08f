"""The Path 1 edit forms, each behind an Action.ShowCard on the case card. Button titles are
one short word each, so five fit across a phone.

Input ids are unique across the whole card, so every form has its own prefix. The bot reads:
panel_* (panel decision), upd_* (record fields, see tracker.record_fields), act_* (actions),
nl_* (notes), learn_* (learning shared, handled by the Path 2 verb `record_learning`),
brief_* (pre-publication) and close_* (closing).
"""

from __future__ import annotations

from collections.abc import Sequence

from microsoft_teams.cards import CardElement, ShowCardAction

from tracker.model import ID_LABELS, REVIEW_LABELS, ReviewType, State
from tracker.views import CaseView

from .actions import CardVerb
from .components import (
    choice_input,
    date_input,
    execute,
    line,
    sub_card,
    text_input,
    toggle,
)

NO_PATIENT_DATA = "No names or other patient identifiers."


def _options(view: CaseView, kind: str) -> list[tuple[str, str]]:
    return [(o.key, o.label) for o in view.ref.options[kind]]


def _form(title: str, body: Sequence[CardElement], button: str, verb: CardVerb,
          view: CaseView) -> ShowCardAction:
    case = view.case
    return ShowCardAction(title=title, card=sub_card(
        list(body), [execute(button, verb, case.number, case.version)]))


def panel_form(view: CaseView, choices: Sequence[ReviewType]) -> ShowCardAction:
    body: list[CardElement] = [
        choice_input("panel_type", "The panel's decision",
                     [(c.value, REVIEW_LABELS[c]) for c in choices], required=True,
                     error="Choose the panel's decision.", placeholder="Choose a decision"),
        date_input("panel_on", "Panel date", view.today, required=True,
                   error="Give the date of the panel."),
        text_input("panel_reason", "Reason (needed for no review)", multiline=True,
                   max_length=600, placeholder=NO_PATIENT_DATA),
    ]
    if view.case.state is State.RAPID_REVIEW:
        body.append(line("A full review agreed after a Rapid Review is marked converted.",
                         subtle=True, small=True))
    return _form("Panel decision", body, "Record decision", CardVerb.PANEL_DECISION, view)


def update_form(view: CaseView) -> ShowCardAction:
    case = view.case
    themes = (case.themes + ["", "", ""])[:3]
    body: list[CardElement] = []
    if case.state in (State.RAPID_REVIEW, State.REVIEW):
        body.append(choice_input("upd_stage", "Review stage", _options(view, "review_stages"),
                                 case.stage, placeholder="Choose a stage"))
    body += [choice_input(f"upd_theme_{i + 1}", f"Abuse/vulnerability theme {i + 1}",
                          _options(view, "themes"), themes[i], placeholder="None")
             for i in range(3)]
    body.append(choice_input("upd_age_group", "Does it concern a child or an adult?",
                             _options(view, "age_groups"), case.age_group,
                             placeholder="Not known yet"))
    body += [
        text_input("upd_partnership_board", "Safeguarding partnership board",
                   case.partnership_board, max_length=200),
        date_input("upd_incident_date", "Date of incident", case.incident_date),
        date_input("upd_date_added", "Date added", case.date_added),
        date_input("upd_sin_notified_on", "SIN notified", case.sin_notified_on),
        date_input("upd_signed_off_on", "Report signed off", case.signed_off_on),
        *([date_input("upd_home_office_qa_on", "Home Office QA panel approved (DHR)",
                      case.home_office_qa_on)]
          if case.review_type in (ReviewType.DHR, ReviewType.DHR_CHILD) else []),
        text_input("upd_summary", "Case information", case.summary, multiline=True,
                   max_length=600, placeholder=NO_PATIENT_DATA),
        choice_input("upd_id_kind", "Add an identifier", [(k.value, v) for k, v in
                                                          ID_LABELS.items()],
                     placeholder="Kind of identifier"),
        text_input("upd_id_value", "Identifier", max_length=40, placeholder="e.g. 2026/1234"),
        line("To set the designated professional, type `update case "
             f"{case.number} designated professional @name`.", subtle=True, small=True),
    ]
    return _form("Update", body, "Save", CardVerb.EDIT_RECORD, view)


def actions_form(view: CaseView) -> ShowCardAction:
    case = view.case
    body: list[CardElement] = [
        text_input("act_text", "New action", multiline=True, max_length=300,
                   placeholder="What needs doing. " + NO_PATIENT_DATA),
        date_input("act_due", "Due date"),
        line("The owner is the designated professional. For someone else type, e.g., `action "
             f"case {case.number} Audit the referral pathway owner @name due 2027-01-31`.",
             subtle=True, small=True),
    ]
    buttons = [execute("Add action", CardVerb.ADD_ACTION, case.number, case.version)]
    if case.actions:
        body += [
            choice_input("act_number", "Action to update",
                         [(str(a.number), f"{a.number}. {a.text[:60]}") for a in case.actions],
                         placeholder="Choose an action"),
            choice_input("act_status", "New status", _options(view, "action_statuses"),
                         placeholder="Choose a status"),
        ]
        buttons.append(execute("Set status", CardVerb.ACTION_STATUS, case.number, case.version))
    return ShowCardAction(title="Actions", card=sub_card(body, buttons))


def notes_form(view: CaseView) -> ShowCardAction:
    body: list[CardElement] = [
        text_input("nl_comment", "Comment", multiline=True, max_length=1000,
                   placeholder=NO_PATIENT_DATA),
        text_input("nl_recommendation", "Recommendation", multiline=True, max_length=1000),
        text_input("nl_theme", "Learning theme", max_length=200),
        line("Learning shared, e.g. a 7-minute briefing:", subtle=True, small=True),
        choice_input("learn_kind", "What was shared", _options(view, "dissemination_kinds"),
                     placeholder="e.g. 7-minute briefing"),
        date_input("learn_on", "When (blank = today)"),
        text_input("learn_audience", "Shared with", max_length=200,
                   placeholder="e.g. GP practices in the ICB"),
    ]
    case = view.case
    return ShowCardAction(title="Notes", card=sub_card(body, [
        execute("Add to record", CardVerb.ADD_NOTES, case.number, case.version),
        execute("Record learning", CardVerb.RECORD_LEARNING, case.number, case.version)]))


def briefing_form(view: CaseView) -> ShowCardAction:
    body: list[CardElement] = [
        line("The briefing the ICS gives the local communications team before publication.",
             subtle=True, small=True),
        date_input("brief_on", "Briefed on", view.today, required=True,
                   error="Give the date of the briefing."),
        toggle("brief_media", "Media attention", "Media attention is likely",
               view.case.media_interest),
    ]
    return _form("Briefing", body, "Record briefing", CardVerb.BRIEFING, view)


def published_form(view: CaseView) -> ShowCardAction:
    """On an embargoed review: record the publication once the embargo ends. The outcome
    travels in the button's data (`close_outcome`), so the form asks only for the rest."""
    case = view.case
    body: list[CardElement] = [
        text_input("close_url", "Link to final report", case.report_url, required=True,
                   error="Give the link to the published report.", max_length=500,
                   placeholder="https://"),
        date_input("close_on", "Publication date (blank = today)"),  # the card may be old
    ]
    if case.signed_off_on is None:
        body.append(date_input("close_signed_off", "Report signed off", required=True,
                               error="Give the date the report was signed off."))
    if case.review_type in (ReviewType.DHR, ReviewType.DHR_CHILD):
        body.append(date_input("close_qa_on", "Home Office QA panel approved (DHR)",
                               case.home_office_qa_on))
    if case.briefing is None:
        body.append(toggle("close_no_briefing", "No briefing recorded",
                           "Record it without a pre-publication briefing", False))
    button = execute("Record publication", CardVerb.CLOSE_CASE, case.number, case.version,
                     close_outcome="published")
    return ShowCardAction(title="Published", card=sub_card(body, [button]))


def close_form(view: CaseView) -> ShowCardAction:
    case = view.case
    outcomes = [("published", "Published"), ("embargoed", "Embargoed"),
                ("not_for_publication", "Completed, not for publication")]
    body: list[CardElement] = [
        choice_input("close_outcome", "Outcome", outcomes,
                     required=True, error="Choose how the review closes.",
                     placeholder="Published, embargoed or not for publication"),
        text_input("close_url", "Link to final report (published)", case.report_url,
                   max_length=500, placeholder="https://"),
        date_input("close_on", "Publication date (published; blank = today)", case.published_on),
        date_input("close_signed_off", "Report signed off", case.signed_off_on),
        date_input("close_until", "Embargoed until (optional)", case.embargo_until),
    ]
    if case.review_type in (ReviewType.DHR, ReviewType.DHR_CHILD):
        body.append(date_input("close_qa_on", "Home Office QA panel approved (DHR)",
                               case.home_office_qa_on))
    if case.briefing is None:
        body.append(toggle("close_no_briefing", "No briefing recorded",
                           "Close without a pre-publication briefing", False))
    body += [
        text_input("close_reason", "Reason or note (optional)", case.embargo_reason,
                   multiline=True, max_length=600, placeholder=NO_PATIENT_DATA),
    ]
    return _form("Close", body, "Close case", CardVerb.CLOSE_CASE, view)

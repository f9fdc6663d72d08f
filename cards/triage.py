"""Triage and route decision controls, for cases that are new or triaged.

Inputs read by the bot: `level`, `strategy_meeting_on` and `age_group` (triage and every
route), and `reason` (no further action).
"""

from __future__ import annotations

from microsoft_teams.cards import Action, CardElement, ShowCardAction

from tracker.states import Verb
from tracker.views import CaseView

from .actions import CardVerb
from .components import choice_input, date_input, execute, section, sub_card, text_input
from .controls import Controls

ROUTES = (Verb.ROUTE_PATH1, Verb.ROUTE_PATH2, Verb.ROUTE_NFA)


def triage_controls(view: CaseView) -> Controls:
    """Level of investigation, optional strategy meeting, and the three routes."""
    case = view.case
    allowed = view.verbs
    if Verb.TRIAGE not in allowed and not allowed.intersection(ROUTES):
        return Controls()
    levels = [(o.key, o.label) for o in view.ref.options["investigation_levels"]]
    body: list[CardElement] = [
        section("Triage"),
        choice_input("level", "Level of investigation", levels, case.investigation_level,
                     required=True, error="Choose the level of investigation.",
                     placeholder="Choose a level"),
        date_input("strategy_meeting_on", "Strategy meeting (optional)", case.strategy_meeting_on),
        choice_input("age_group", "Does it concern a child or an adult?",
                     [(o.key, o.label) for o in view.ref.options["age_groups"]], case.age_group,
                     placeholder="Not known yet"),
    ]
    n, v = case.number, case.version
    actions: list[Action] = []
    if Verb.TRIAGE in allowed:
        actions.append(execute("Record triage", CardVerb.TRIAGE, n, v))
    if Verb.ROUTE_PATH1 in allowed:
        actions.append(execute("Path 1: case review", CardVerb.ROUTE_PATH1, n, v))
    if Verb.ROUTE_PATH2 in allowed:
        actions.append(execute("Path 2: SI / PSIRF", CardVerb.ROUTE_PATH2, n, v))
    if Verb.ROUTE_NFA in allowed:
        actions.append(_nfa(n, v))
    return Controls(body=body, actions=actions)


def _nfa(number: int, version: int) -> ShowCardAction:
    """The "No further action" button: it opens a reason box and a confirm button."""
    reason = text_input("reason", "Reason for no further action", required=True,
                        error="Give a reason for no further action.", multiline=True,
                        max_length=600,
                        placeholder="Why no review or investigation is needed. No patient names.")
    confirm = execute("Confirm no further action", CardVerb.ROUTE_NFA, number, version)
    return ShowCardAction(title="No further action", card=sub_card([reason], [confirm]))

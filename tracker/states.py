"""The case state machine. Transitions are data; an illegal move raises IllegalTransition."""

from __future__ import annotations

from enum import StrEnum

from .errors import IllegalTransition
from .model import State


class Verb(StrEnum):
    TRIAGE = "triage"
    ROUTE_PATH1 = "route_path1"
    ROUTE_PATH2 = "route_path2"
    ROUTE_NFA = "route_nfa"
    PANEL_RAPID_REVIEW = "panel_rapid_review"
    PANEL_REVIEW = "panel_review"
    PANEL_NO_REVIEW = "panel_no_review"
    CLOSE_PUBLISHED = "close_published"
    CLOSE_EMBARGOED = "close_embargoed"
    CLOSE_SI = "close_si"
    CLOSE_NOT_PUBLISHED = "close_not_published"
    MOVE_TO_PATH1 = "move_to_path1"  # Path 2 -> Path 1 when a case review is agreed later
    REOPEN = "reopen"
    EDIT = "edit"  # any change to the record that keeps the state
    ACKNOWLEDGE = "acknowledge"  # an escalation acknowledged (open or closed case)
    LEARNING = "learning"  # learning shared (continues after closure)


VERB_LABELS: dict[Verb, str] = {
    Verb.TRIAGE: "triaged",
    Verb.ROUTE_PATH1: "sent to Path 1",
    Verb.ROUTE_PATH2: "sent to Path 2",
    Verb.ROUTE_NFA: "closed with no further action",
    Verb.PANEL_RAPID_REVIEW: "given a panel decision",
    Verb.PANEL_REVIEW: "given a panel decision",
    Verb.PANEL_NO_REVIEW: "given a panel decision",
    Verb.CLOSE_PUBLISHED: "closed as published",
    Verb.CLOSE_EMBARGOED: "closed as embargoed",
    Verb.CLOSE_SI: "closed as completed, de-logged or no further action",
    Verb.CLOSE_NOT_PUBLISHED: "closed as completed, not for publication",
    Verb.MOVE_TO_PATH1: "moved to Path 1",
    Verb.REOPEN: "reopened",
    Verb.EDIT: "edited",
    Verb.ACKNOWLEDGE: "acknowledged",
    Verb.LEARNING: "given learning",
}

_S = State
OPEN_STATES = frozenset(s for s in State if not s.closed)

TRANSITIONS: dict[tuple[State, Verb], State] = {
    (_S.NEW, Verb.TRIAGE): _S.TRIAGED,
    (_S.TRIAGED, Verb.TRIAGE): _S.TRIAGED,
    (_S.NEW, Verb.ROUTE_PATH1): _S.PANEL,
    (_S.TRIAGED, Verb.ROUTE_PATH1): _S.PANEL,
    (_S.NEW, Verb.ROUTE_PATH2): _S.SI,
    (_S.TRIAGED, Verb.ROUTE_PATH2): _S.SI,
    (_S.NEW, Verb.ROUTE_NFA): _S.CLOSED_NFA,
    (_S.TRIAGED, Verb.ROUTE_NFA): _S.CLOSED_NFA,
    (_S.PANEL, Verb.PANEL_RAPID_REVIEW): _S.RAPID_REVIEW,
    (_S.PANEL, Verb.PANEL_REVIEW): _S.REVIEW,
    (_S.RAPID_REVIEW, Verb.PANEL_REVIEW): _S.REVIEW,  # converted
    (_S.PANEL, Verb.PANEL_NO_REVIEW): _S.CLOSED_NO_REVIEW,
    (_S.RAPID_REVIEW, Verb.PANEL_NO_REVIEW): _S.CLOSED_NO_REVIEW,
    (_S.REVIEW, Verb.CLOSE_PUBLISHED): _S.CLOSED_PUBLISHED,
    (_S.REVIEW, Verb.CLOSE_EMBARGOED): _S.CLOSED_EMBARGOED,
    (_S.REVIEW, Verb.CLOSE_NOT_PUBLISHED): _S.CLOSED_NOT_PUBLISHED,
    (_S.CLOSED_EMBARGOED, Verb.CLOSE_PUBLISHED): _S.CLOSED_PUBLISHED,  # the embargo ended
    (_S.SI, Verb.CLOSE_SI): _S.CLOSED_SI,
    (_S.SI, Verb.MOVE_TO_PATH1): _S.PANEL,  # keeps the record and its history
    (_S.CLOSED_PUBLISHED, Verb.REOPEN): _S.REVIEW,
    (_S.CLOSED_EMBARGOED, Verb.REOPEN): _S.REVIEW,
    (_S.CLOSED_NO_REVIEW, Verb.REOPEN): _S.PANEL,
    (_S.CLOSED_NFA, Verb.REOPEN): _S.TRIAGED,
    (_S.CLOSED_SI, Verb.REOPEN): _S.SI,
    (_S.CLOSED_NOT_PUBLISHED, Verb.REOPEN): _S.REVIEW,
    **{(s, Verb.EDIT): s for s in OPEN_STATES},
    **{(s, Verb.ACKNOWLEDGE): s for s in State},
    **{(s, Verb.LEARNING): s for s in State},
}

_HINTS: dict[Verb, str] = {
    Verb.CLOSE_PUBLISHED: "Only a case review in progress, or an embargoed one, can close as "
                          "published.",
    Verb.CLOSE_EMBARGOED: "Only a case review in progress can close as embargoed.",
    Verb.CLOSE_NOT_PUBLISHED: "Only a case review in progress can close as completed, not for "
                              "publication.",
    Verb.CLOSE_SI: "Only a Path 2 case closes as completed, de-logged or no further action. A "
                   "case review closes as published, embargoed or not for publication.",
    Verb.MOVE_TO_PATH1: "Only a case on Path 2 moves to Path 1 this way.",
    Verb.PANEL_REVIEW: "A panel decision is recorded once the case is on Path 1.",
    Verb.PANEL_RAPID_REVIEW: "A Rapid Review is agreed by the panel once the case is on Path 1.",
    Verb.PANEL_NO_REVIEW: "A panel decision is recorded once the case is on Path 1.",
    Verb.REOPEN: "Only a closed case can be reopened.",
    Verb.EDIT: "A closed case is read-only. A safeguarding lead can reopen it: `reopen case` "
               "with its number and the reason.",
}


def allowed(state: State, verb: Verb) -> bool:
    return (state, verb) in TRANSITIONS


def next_state(state: State, verb: Verb) -> State:
    """The state after `verb`, or IllegalTransition with a hint for the user."""
    try:
        return TRANSITIONS[(state, verb)]
    except KeyError:
        hint = f"This case is {state.label}, so it can't be {VERB_LABELS[verb]}."
        extra = _HINTS.get(verb)
        raise IllegalTransition(state.value, verb.value, f"{hint} {extra}" if extra else hint)\
            from None


def verbs_from(state: State) -> list[Verb]:
    return [v for (s, v) in TRANSITIONS if s == state]


def ways_to_close(state: State) -> set[State]:
    """The closed states reachable from `state` by some sequence of moves."""
    seen, todo = {state}, [state]
    while todo:
        here = todo.pop()
        for (s, _v), nxt in TRANSITIONS.items():
            if s == here and nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return {s for s in seen if s.closed}

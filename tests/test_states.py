"""The state machine: transitions are data, and every illegal move raises a typed error."""

from __future__ import annotations

import pytest

from teams_bot.turns.actions.table import all_moves, all_verbs
from teams_bot.turns.commands import all_commands
from tracker.errors import IllegalTransition
from tracker.model import State
from tracker.states import (
    OPEN_STATES,
    TRANSITIONS,
    Verb,
    allowed,
    next_state,
    verbs_from,
    ways_to_close,
)


def test_the_happy_paths() -> None:
    assert next_state(State.NEW, Verb.TRIAGE) is State.TRIAGED
    assert next_state(State.TRIAGED, Verb.ROUTE_PATH1) is State.PANEL
    assert next_state(State.NEW, Verb.ROUTE_PATH2) is State.SI
    assert next_state(State.TRIAGED, Verb.ROUTE_NFA) is State.CLOSED_NFA
    assert next_state(State.PANEL, Verb.PANEL_RAPID_REVIEW) is State.RAPID_REVIEW
    assert next_state(State.RAPID_REVIEW, Verb.PANEL_REVIEW) is State.REVIEW
    assert next_state(State.REVIEW, Verb.CLOSE_PUBLISHED) is State.CLOSED_PUBLISHED
    assert next_state(State.REVIEW, Verb.CLOSE_EMBARGOED) is State.CLOSED_EMBARGOED
    assert next_state(State.SI, Verb.CLOSE_SI) is State.CLOSED_SI
    assert next_state(State.SI, Verb.MOVE_TO_PATH1) is State.PANEL
    assert next_state(State.REVIEW, Verb.CLOSE_NOT_PUBLISHED) is State.CLOSED_NOT_PUBLISHED
    assert next_state(State.CLOSED_EMBARGOED, Verb.CLOSE_PUBLISHED) is State.CLOSED_PUBLISHED


@pytest.mark.parametrize("state", [s for s in State if s.closed])
def test_a_closed_case_is_read_only_and_can_only_be_reopened(state: State) -> None:
    # Learning and acknowledgements of escalations go on after closure (process.md 5.3);
    # they keep the state, and nothing else but reopening moves a closed case, except that an
    # embargoed report is recorded as published when the embargo ends.
    extra = {Verb.CLOSE_PUBLISHED} if state is State.CLOSED_EMBARGOED else set()
    assert set(verbs_from(state)) == {Verb.REOPEN, Verb.ACKNOWLEDGE, Verb.LEARNING, *extra}
    assert next_state(state, Verb.LEARNING) is state
    with pytest.raises(IllegalTransition) as err:
        next_state(state, Verb.EDIT)
    assert "read-only" in str(err.value)
    assert not next_state(state, Verb.REOPEN).closed


def test_every_illegal_move_raises_a_typed_error_with_a_hint() -> None:
    for state in State:
        for verb in Verb:
            if allowed(state, verb):
                continue
            with pytest.raises(IllegalTransition) as err:
                next_state(state, verb)
            assert err.value.state == state.value and err.value.verb == verb.value
            assert state.label in str(err.value)


def test_no_route_without_triage_states_and_no_close_before_review() -> None:
    assert not allowed(State.PANEL, Verb.ROUTE_PATH2)
    assert not allowed(State.PANEL, Verb.CLOSE_PUBLISHED)
    assert not allowed(State.NEW, Verb.CLOSE_PUBLISHED)
    with pytest.raises(IllegalTransition, match="Only a case review in progress"):
        next_state(State.SI, Verb.CLOSE_PUBLISHED)


def test_open_states_can_be_edited_and_every_state_is_reachable() -> None:
    assert all(allowed(s, Verb.EDIT) for s in OPEN_STATES)
    reachable = {State.NEW} | set(TRANSITIONS.values())
    assert reachable == set(State)


@pytest.mark.parametrize("state", sorted(OPEN_STATES))
def test_every_open_state_has_a_way_to_a_closed_state(state: State) -> None:
    assert ways_to_close(state), f"{state} is a dead end"
    # ... in one move or a few, through moves people can make (checked below).
    assert any(nxt.closed or ways_to_close(nxt) for (s, _v), nxt in TRANSITIONS.items()
               if s == state and nxt != state)


def test_a_path2_case_closes_and_reopens_and_can_move_to_path1() -> None:
    assert State.CLOSED_SI in ways_to_close(State.SI)
    assert next_state(State.CLOSED_SI, Verb.REOPEN) is State.SI
    assert {State.CLOSED_PUBLISHED, State.CLOSED_NO_REVIEW} <= ways_to_close(State.SI)
    with pytest.raises(IllegalTransition, match="Only a Path 2 case closes"):
        next_state(State.REVIEW, Verb.CLOSE_SI)
    with pytest.raises(IllegalTransition, match="Only a case on Path 2 moves"):
        next_state(State.REVIEW, Verb.MOVE_TO_PATH1)


def test_every_verb_in_the_table_is_reachable_from_a_command_or_a_card() -> None:
    """Read from the command registry and the card-verb tables, not listed here: a verb with
    no command and no button would be a way out nobody can take."""
    commands = all_commands()
    by_command = {v: c.name for c in commands for v in c.moves}
    handlers, moves = all_verbs(), all_moves()
    assert set(moves) <= set(handlers), "a card verb declares moves but has no handler"
    by_card = {v: card for card, vs in moves.items() for v in vs}
    used = {v for (_s, v) in TRANSITIONS}
    missing = sorted(v.value for v in used if v not in by_command and v not in by_card)
    assert not missing, f"verbs no command or card can apply: {missing}"
    # Every declared move is a verb of the table, and every state-changing verb is offered
    # by some command or card that needs a permission.
    assert {v for c in commands for v in c.moves} <= used
    assert all(c.action for c in commands if c.moves)


def test_the_cards_offer_every_closing_verb() -> None:
    """The closing verbs have buttons on the cards drawn for their states."""
    from cards.case_card import case_card
    from cards.path1_samples import TODAY, path1_views
    from cards.path2_samples import sample_path2_case
    from tracker.deadlines import WorkingDays
    from tracker.reference import Reference
    from tracker.views import case_view

    ref = Reference.load()
    views = [*path1_views(ref).values(),
             case_view(sample_path2_case(), ref, TODAY, WorkingDays())]
    offered: dict[State, set[str]] = {}
    for view in views:
        card = case_card(view)
        offered.setdefault(view.case.state, set()).update(_verbs_in(card))
    moves = all_moves()
    for state in (State.SI, State.REVIEW):
        verbs = {v for card_verb in offered.get(state, set()) for v in moves.get(card_verb, ())}
        closing = {v for v in verbs if allowed(state, v) and next_state(state, v).closed}
        assert closing, f"no closing button on the {state} card"


def _verbs_in(node: object) -> set[str]:
    out: set[str] = set()
    if isinstance(node, dict):
        if node.get("type") == "Action.Execute":
            out.add(str(node.get("verb")))
        for value in node.values():
            out |= _verbs_in(value)
    elif isinstance(node, list):
        for value in node:
            out |= _verbs_in(value)
    return out

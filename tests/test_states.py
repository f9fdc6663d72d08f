"""The state machine: transitions are data, and every illegal move raises a typed error."""

from __future__ import annotations

import pytest

from tracker.errors import IllegalTransition
from tracker.model import State
from tracker.states import OPEN_STATES, TRANSITIONS, Verb, allowed, next_state, verbs_from


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


@pytest.mark.parametrize("state", [s for s in State if s.closed])
def test_a_closed_case_is_read_only_and_can_only_be_reopened(state: State) -> None:
    # Learning and acknowledgements of escalations go on after closure (process.md 5.3);
    # they keep the state, and nothing else but reopening moves a closed case.
    assert set(verbs_from(state)) == {Verb.REOPEN, Verb.ACKNOWLEDGE, Verb.LEARNING}
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

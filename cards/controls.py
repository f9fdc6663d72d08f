"""What a case card offers in a given state: inputs for the body and buttons.

A builder takes the case view and returns `Controls`. `case_card` looks builders up by state in
`cards.case_card.ACTION_BUILDERS`, so a new stage of the process adds a module with its builder
and one line in that dict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from microsoft_teams.cards import Action, CardElement

from tracker.views import CaseView

from .actions import CardVerb
from .components import execute


@dataclass
class Controls:
    body: list[CardElement] = field(default_factory=list)  # inputs, shown under the record
    actions: list[Action] = field(default_factory=list)  # buttons at the foot of the card


ActionBuilder = Callable[[CaseView], Controls]


def refresh_controls(view: CaseView) -> Controls:
    """The default for open cases: just a Refresh button."""
    case = view.case
    return Controls(actions=[execute("Refresh", CardVerb.REFRESH, case.number, case.version)])


def no_controls(view: CaseView) -> Controls:
    """The default for closed cases: read-only."""
    return Controls()

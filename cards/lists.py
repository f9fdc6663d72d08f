"""Lists of cases: one compact row per case, stacked so it reads on a phone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from microsoft_teams.cards import ActionSet, CardElement, Container

from tracker.deadlines import Clock
from tracker.views import CaseView

from .actions import CardVerb
from .components import card, execute, heading, line, sentence, status


def case_list_card(views: Sequence[CaseView], total: int,
                   title: str = "Open cases") -> dict[str, Any]:
    """`views` are the cases shown; `total` is how many matched."""
    body: list[CardElement] = [heading(title, "Medium")]
    if not views:
        body.append(line("No cases.", subtle=True))
    body += [_row(view) for view in views]
    hidden = total - len(views)
    if hidden > 0:
        body.append(line(f"{hidden} more not shown.", subtle=True, small=True))
    return card(body, full_width=True, fallback_text=f"{title}: {total}")


def _row(view: CaseView) -> Container:
    case = view.case
    items: list[CardElement] = [
        line(f"Case {case.number} · {view.locality_name}", bold=True),
        line(sentence(case.state.label), small=True),
    ]
    clock = next_clock(view)
    if clock is not None:
        late = clock.overdue(view.today)
        items.append(status(f"{clock.label}: {clock.describe(view.today)}",
                            "attention" if late else None, small=True))
    button = execute("Open", CardVerb.SHOW_CASE, case.number, case.version)
    items.append(ActionSet(actions=[button], spacing="Small"))
    return Container(items=items, separator=True, spacing="Medium")


def next_clock(view: CaseView) -> Clock | None:
    """The running clock due soonest (overdue ones come first by date)."""
    running = [c for c in view.clocks if not c.done]
    return min(running, key=lambda c: c.due, default=None)

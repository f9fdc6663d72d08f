"""The ICS meeting agenda (open case reviews by stage, overdue first) and the overdue list (by
locality). One stacked row per case, so both read on a phone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from microsoft_teams.cards import ActionSet, CardElement, Container, ShowCardAction

from tracker.model import ActionItem
from tracker.views import CaseView

from .actions import CardVerb
from .components import (
    card,
    date_input,
    day,
    execute,
    flag,
    heading,
    line,
    section,
    sentence,
    status,
    sub_card,
    text_input,
)
from .lists import next_clock

MAX_ROWS = 20  # keeps the card well under Teams' size limit
OVERDUE = "Overdue"


def stage_of(view: CaseView) -> str:
    case = view.case
    if case.stage:
        return view.ref.label("review_stages", case.stage)
    return sentence(case.state.label.split(", ")[-1])


def late_actions(view: CaseView) -> list[ActionItem]:
    return [a for a in view.case.actions if a.due is not None and a.due < view.today
            and a.status in ("open", "in_progress")]


def is_late(view: CaseView) -> bool:
    """A clock or an open action past its due date (what `overdue` lists)."""
    return bool(view.overdue or late_actions(view))


def agenda_groups(views: Sequence[CaseView]) -> list[tuple[str, list[CaseView]]]:
    """Overdue cases first, then the rest grouped by stage in the stages' own order."""
    late = [v for v in views if is_late(v)]
    groups: list[tuple[str, list[CaseView]]] = [(OVERDUE, late)] if late else []
    order = {o.label: i for i, o in enumerate(views[0].ref.options["review_stages"])} \
        if views else {}
    rest: dict[str, list[CaseView]] = {}
    for v in views:
        if not is_late(v):
            rest.setdefault(stage_of(v), []).append(v)
    groups += sorted(rest.items(), key=lambda g: (order.get(g[0], -1), g[0]))
    return groups


def agenda_card(views: Sequence[CaseView], where: str = "", locality: str = "") -> dict[str, Any]:
    """`where` names the locality for the title; `locality` is what the buttons redraw."""
    title = "ICS meeting agenda" + (f" · {where}" if where else "")
    body: list[CardElement] = [heading(title, "Medium")]
    if not views:
        body.append(line("No open case reviews to discuss.", subtle=True))
    shown = 0
    for name, group in agenda_groups(views):
        if shown >= MAX_ROWS:
            break
        body.append(section(f"{name} ({len(group)})"))
        for view in group[:MAX_ROWS - shown]:
            body.append(_row(view, locality))
            shown += 1
    if len(views) > shown:
        body.append(line(f"{len(views) - shown} more not shown; name a locality, e.g. `agenda "
                         "Devon`.", subtle=True, small=True))
    return card(body, full_width=True, fallback_text=f"{title}: {len(views)} cases")


def _row(view: CaseView, locality: str) -> Container:
    case = view.case
    items: list[CardElement] = [
        line(f"Case {case.number} · {view.locality_name}", bold=True),
        line(f"Stage: {stage_of(view)}", small=True),
    ]
    clock = next_clock(view)
    if clock is not None:
        late = clock.overdue(view.today)
        items.append(status(f"{clock.label}: {clock.describe(view.today)}",
                            "attention" if late else None, small=True))
    if case.discussions:
        items.append(line(f"Last discussed {day(case.discussions[-1].on)}", subtle=True,
                          small=True))
    n = case.number
    form = sub_card(
        [date_input(f"discussed_on_{n}", "Meeting date", view.today, required=True,
                    error="Give the meeting date."),
         text_input(f"discussed_note_{n}", "Note (optional)", multiline=True, max_length=600,
                    placeholder="No names or other patient identifiers.")],
        [execute("Record discussion", CardVerb.DISCUSSED, n, case.version, locality=locality)])
    items.append(ActionSet(spacing="Small", actions=[
        ShowCardAction(title="Discussed", card=form),
        execute("Open", CardVerb.SHOW_CASE, n, case.version)]))
    return Container(items=items, separator=True, spacing="Medium")


def overdue_card(views: Sequence[CaseView]) -> dict[str, Any]:
    """Late cases grouped by locality, each with what is late."""
    body: list[CardElement] = [heading("Overdue cases", "Medium")]
    if not views:
        body.append(line("Nothing is overdue.", subtle=True))
    by_place: dict[str, list[CaseView]] = {}
    for v in views[:MAX_ROWS]:
        by_place.setdefault(v.locality_name, []).append(v)
    for place in sorted(by_place):
        body.append(section(f"{place} ({len(by_place[place])})"))
        for v in by_place[place]:
            late = [f"{c.label}: {c.describe(v.today)}" for c in v.overdue]
            late += [f"Action {a.number}: due {day(a.due)}" for a in late_actions(v)]
            items: list[CardElement] = [
                line(f"Case {v.case.number} · {stage_of(v)}", bold=True),
                *(flag(t, "attention", small=True) for t in late),
                ActionSet(spacing="Small", actions=[
                    execute("Open", CardVerb.SHOW_CASE, v.case.number, v.case.version)])]
            body.append(Container(items=items, separator=True))
    if len(views) > MAX_ROWS:
        body.append(line(f"{len(views) - MAX_ROWS} more not shown; name a locality, e.g. "
                         "`overdue Devon`.", subtle=True, small=True))
    return card(body, full_width=True, fallback_text=f"Overdue cases: {len(views)}")

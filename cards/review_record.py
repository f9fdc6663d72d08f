"""The Path 1 part of the case card that the foundation's record facts don't show: themes,
actions, recommendations, learning, ICS discussions, the briefing and comments. Stacked text
and facts only, so it reads on a phone."""

from __future__ import annotations

from collections.abc import Sequence

from microsoft_teams.cards import CardElement

from tracker.model import ActionItem
from tracker.views import CaseView

from .components import day, facts, line, section, status, when

MAX_ROWS = 8  # per list; the rest are in the export and the case history
MAX_COMMENTS = 3
OPEN = ("open", "in_progress")


def review_record(view: CaseView) -> list[CardElement]:
    case, ref = view.case, view.ref
    briefing = ""
    if case.briefing is not None:
        b = case.briefing
        briefing = f"{day(b.on)} by {b.by}" + (" · media attention likely"
                                               if b.media_likely else "")
    last = case.discussions[-1] if case.discussions else None
    fact_set = facts([
        *((f"Theme {i + 1}", ref.label("themes", t)) for i, t in enumerate(case.themes) if t),
        ("SIN notified", day(case.sin_notified_on)),
        ("Review started", day(case.review_started_on)),
        ("Comms briefed", briefing),
        ("Last ICS discussion", f"{day(last.on)} ({last.by})" if last else ""),
    ])
    out: list[CardElement] = [section("Review record"), fact_set] if fact_set else []
    out += _actions(view)
    out += _list("Recommendations", [f"{i}. {r}" for i, r in
                                     enumerate(case.recommendations, 1)])
    if case.learning_themes:
        out += [section("Learning themes"), line("; ".join(case.learning_themes), small=True)]
    out += _list("Learning shared", [
        f"{ref.label('dissemination_kinds', x.kind)}, {day(x.on)}, {x.audience}"
        for x in case.learning])
    out += _comments(view)
    return out


def _list(title: str, rows: Sequence[str]) -> list[CardElement]:
    if not rows:
        return []
    out: list[CardElement] = [section(title)]
    out += [line(r, small=True) for r in rows[:MAX_ROWS]]
    if len(rows) > MAX_ROWS:
        out.append(line(f"{len(rows) - MAX_ROWS} more in the export.", subtle=True, small=True))
    return out


def action_line(view: CaseView, a: ActionItem) -> tuple[str, bool]:
    """"1. Text · Owner, due 31 Jan 2027 · Open", and whether it is overdue."""
    late = a.status in OPEN and a.due is not None and a.due < view.today
    owner = a.owner.name if a.owner else "no owner"
    due = f", due {day(a.due)}" if a.due else ""
    status = view.ref.label("action_statuses", a.status)
    return f"{a.number}. {a.text} · {owner}{due} · {status}" + (" (overdue)" if late else ""), late


def _actions(view: CaseView) -> list[CardElement]:
    items = view.case.actions
    if not items:
        return []
    out: list[CardElement] = [section("Actions")]
    for a in items[:MAX_ROWS]:
        text, late = action_line(view, a)
        out.append(status(text, "attention" if late else None, small=True))
    if len(items) > MAX_ROWS:
        out.append(line(f"{len(items) - MAX_ROWS} more in the export.", subtle=True, small=True))
    return out


def _comments(view: CaseView) -> list[CardElement]:
    notes = view.case.comments
    if not notes:
        return []
    out: list[CardElement] = [section("Comments")]
    hidden = len(notes) - MAX_COMMENTS
    if hidden > 0:
        out.append(line(f"{hidden} earlier comment{'s' if hidden != 1 else ''} in the case "
                        "history.", subtle=True, small=True))
    out += [line(f"{n.text} — {n.by}, {when(n.at)}", small=True) for n in notes[-MAX_COMMENTS:]]
    return out

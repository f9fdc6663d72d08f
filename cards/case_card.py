"""The case card: the record, its decisions and deadlines, and what can be done now.

The buttons depend on the state: `ACTION_BUILDERS` maps a state to a builder (see
`cards.controls`). Open states without a builder get a Refresh button; closed cases are
read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from microsoft_teams.cards import CardElement

from tracker.model import (
    ID_LABELS,
    REVIEW_LABELS,
    ROUTE_LABELS,
    Case,
    State,
)
from tracker.views import CaseView

from .components import (
    banner,
    card,
    day,
    facts,
    flag,
    heading,
    line,
    section,
    sentence,
    status,
    when,
)
from .controls import ActionBuilder, Controls, no_controls, refresh_controls
from .path1 import (
    closed_review_controls,
    embargoed_controls,
    panel_controls,
    rapid_review_controls,
    review_controls,
)
from .path2 import path2_closed_controls, path2_controls, path2_summary
from .review_record import review_record
from .triage import triage_controls

# Per-state controls. To add a stage, write its builder in its own module and add it here.
ACTION_BUILDERS: dict[State, ActionBuilder] = {
    State.NEW: triage_controls,
    State.TRIAGED: triage_controls,
    State.SI: path2_controls,
    State.CLOSED_SI: path2_closed_controls,
    State.PANEL: panel_controls,
    State.RAPID_REVIEW: rapid_review_controls,
    State.REVIEW: review_controls,
    State.CLOSED_PUBLISHED: closed_review_controls,
    State.CLOSED_EMBARGOED: embargoed_controls,
    State.CLOSED_NO_REVIEW: closed_review_controls,
    State.CLOSED_NOT_PUBLISHED: closed_review_controls,
}

# What a snapshot keeps of each state's controls: their read-only part, built without the
# inputs and buttons a snapshot has none of (for a new case those were most of its cost).
# tests/test_case_snapshot.py checks it against the live card, stripped, in every state.
READ_ONLY_PARTS: dict[State, Callable[[CaseView], list[CardElement]]] = {
    State.SI: path2_summary,
    State.CLOSED_SI: path2_summary,
    **{s: review_record for s in (State.PANEL, State.RAPID_REVIEW, State.REVIEW,
                                  State.CLOSED_PUBLISHED, State.CLOSED_EMBARGOED,
                                  State.CLOSED_NO_REVIEW, State.CLOSED_NOT_PUBLISHED)},
}

MAX_DECISIONS = 10  # older decisions are in the case history
NOT_ON_STEIS = "Not on StEIS or LFPSE"


def case_card(view: CaseView) -> dict[str, Any]:
    """The full case card for a channel thread or a chat."""
    controls = controls_for(view)
    return card(_head(view) + _body(view) + controls.body, controls.actions, full_width=True,
                fallback_text=_title(view))


def case_snapshot(view: CaseView, taken: datetime) -> dict[str, Any]:
    """The case as it is now, for an answer to `case N` or an "Open case" button: a copy that is
    never updated, so it says so and has no live buttons or inputs. The case's own card, at the
    top of its thread, is the one that stays up to date."""
    note = (f"Snapshot at {when(taken)}. It does not update: work on the case from its card at "
            f"the top of the case's thread, or type case {view.case.number} again for a fresh "
            "copy.")
    read_only = READ_ONLY_PARTS.get(view.case.state, lambda _: [])(view)
    out = card([*_head(view), line(note, subtle=True, small=True), *_body(view), *read_only],
               full_width=True, fallback_text=f"{_title(view)} (snapshot)")
    out["body"] = _without_inputs(out["body"])  # none expected: a guarantee, not a filter
    return out


def _title(view: CaseView) -> str:
    return f"Case {view.case.number} · {view.locality_name}: {view.case.state.label}"


def _head(view: CaseView) -> list[CardElement]:
    return [heading(f"Case {view.case.number} · {view.locality_name}"), _status(view)]


def _body(view: CaseView) -> list[CardElement]:
    """Everything under the heading and status, but the state's controls."""
    case = view.case
    body: list[CardElement] = []
    if case.closed:
        body.append(banner("Closed", "emphasis", "This record is read-only."))
    return body + _record(view) + _decisions(case) + _deadlines(view)


def _without_inputs(elements: list[Any]) -> list[Any]:
    """Drop inputs, action sets and select actions, at any depth."""
    out = []
    for el in elements:
        kind = str(el.get("type", "")) if isinstance(el, dict) else ""
        if kind.startswith("Input.") or kind == "ActionSet":
            continue
        if isinstance(el, dict):
            el = {k: (_without_inputs(v) if k in ("items", "columns") and isinstance(v, list)
                      else v) for k, v in el.items() if k != "selectAction"}
        out.append(el)
    return out


def controls_for(view: CaseView) -> Controls:
    """The inputs and buttons the case's state offers."""
    state = view.case.state
    default = no_controls if state.closed else refresh_controls
    return ACTION_BUILDERS.get(state, default)(view)


def _status(view: CaseView) -> CardElement:
    case = view.case
    text = sentence(case.state.label)
    overdue = len(view.overdue)
    if overdue:
        text += f" · {overdue} deadline{'s' if overdue != 1 else ''} overdue"
    alert = case.closed or bool(overdue)
    return flag(text, "attention", bold=True) if alert else line(text, "Accent", bold=True)


def _record(view: CaseView) -> list[CardElement]:
    """The tracker record: facts first, the summary as its own wrapped text."""
    case, ref = view.case, view.ref
    head = facts([
        ("Reported", " by ".join(x for x in (day(case.date_added), case.reported_by) if x)),
        ("Incident date", day(case.incident_date)),
        ("Locality", f"{view.locality_name}, {view.region_name}"),
        ("Identifiers", identifiers(case)),
    ])
    level = case.investigation_level
    review = REVIEW_LABELS[case.review_type] if case.review_type else ""
    if review and case.converted:
        review += ", converted from Rapid Review"
    media = ("Yes, confirmed" if case.media_confirmed else "Yes") if case.media_interest else ""
    person = case.designated_professional
    detail = facts([
        ("Concerns", ref.label("age_groups", case.age_group) if case.age_group else ""),
        ("Level of investigation", ref.label("investigation_levels", level) if level else ""),
        ("Strategy meeting", day(case.strategy_meeting_on)),
        ("Route", ROUTE_LABELS[case.route] if case.route else ""),
        ("Framework", ref.label("frameworks", case.framework) if case.framework else ""),
        ("Response", ref.label("response_types", case.response_type)
         if case.response_type else ""),
        ("Panel date", day(case.panel_date)),
        ("Review type", review),
        ("Stage", ref.label("review_stages", case.stage) if case.stage else ""),
        ("Designated professional", person.name if person else ""),
        ("Partnership", case.partnership_board),
        ("Media interest", media),
        ("Specialist commissioned", "Yes" if case.specialist_commissioned else ""),
        ("Signed off", day(case.signed_off_on)),
        ("Home Office QA", day(case.home_office_qa_on)),
        ("Published", day(case.published_on)),
        ("Report", f"[Final report]({case.report_url})" if case.report_url else ""),
        ("Embargoed until", day(case.embargo_until)),
        ("Outcome", ref.label("si_outcomes", case.close_outcome)
         if case.close_outcome in {o.key for o in ref.options["si_outcomes"]} else ""),
        ("Reason closed", case.close_reason),
    ])
    out: list[CardElement] = [head] if head else []
    if case.summary:
        out += [section("Summary"), line(case.summary)]
    if detail:
        out += [section("Record"), detail]
    return out


def identifiers(case: Case) -> str:
    """E.g. "StEIS 2026/1234, Local DEV-0031"; says so when on neither StEIS nor LFPSE."""
    text = ", ".join(f"{ID_LABELS[i.kind]} {i.value}" for i in case.identifiers)
    if not case.on_steis:
        text = " · ".join(x for x in (text, NOT_ON_STEIS) if x)
    return text


def _decisions(case: Case) -> list[CardElement]:
    if not case.decisions:
        return []
    shown = case.decisions[-MAX_DECISIONS:]
    out: list[CardElement] = [section("Decisions")]
    hidden = len(case.decisions) - len(shown)
    if hidden:
        out.append(line(f"{hidden} earlier decision{'s' if hidden != 1 else ''} "
                        "in the case history.", subtle=True, small=True))
    for d in shown:
        what = sentence(d.what) + (f": {d.detail}" if d.detail else "")
        out.append(line(f"{what} — {d.by}, {when(d.at)}", small=True))
    return out


def _deadlines(view: CaseView) -> list[CardElement]:
    if not view.clocks:
        return []
    out: list[CardElement] = [section("Deadlines")]
    for clock in view.clocks:
        late = clock.overdue(view.today)
        out.append(status(f"{clock.label}: {clock.describe(view.today)}",
                          "attention" if late else None, bold=late, small=True))
    return out

"""The case record: what the national Safeguarding Case Review Tracker holds, plus the route."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class State(StrEnum):
    NEW = "new"  # logged, awaiting triage
    TRIAGED = "triaged"  # level of investigation confirmed, awaiting route
    PANEL = "panel"  # Path 1: awaiting the panel's decision
    RAPID_REVIEW = "rapid_review"  # Path 1: Rapid Review under way
    REVIEW = "review"  # Path 1: CSPR / SAR / DHR in progress
    SI = "si"  # Path 2: SI framework / PSIRF response
    CLOSED_PUBLISHED = "closed_published"
    CLOSED_EMBARGOED = "closed_embargoed"
    CLOSED_NO_REVIEW = "closed_no_review"
    CLOSED_NFA = "closed_nfa"
    CLOSED_SI = "closed_si"
    CLOSED_NOT_PUBLISHED = "closed_not_published"  # completed and signed off, not published

    @property
    def closed(self) -> bool:
        return self.value.startswith("closed")

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS: dict[State, str] = {
    State.NEW: "awaiting triage",
    State.TRIAGED: "triaged, awaiting route decision",
    State.PANEL: "Path 1 (case review), awaiting panel decision",
    State.RAPID_REVIEW: "Path 1, Rapid Review in progress",
    State.REVIEW: "Path 1, case review in progress",
    State.SI: "Path 2 (SI framework / PSIRF)",
    State.CLOSED_PUBLISHED: "closed: published",
    State.CLOSED_EMBARGOED: "closed: embargoed",
    State.CLOSED_NO_REVIEW: "closed: no review",
    State.CLOSED_NFA: "closed: no further action",
    State.CLOSED_SI: "closed: SI response complete",
    State.CLOSED_NOT_PUBLISHED: "closed: completed, not for publication",
}


class Route(StrEnum):
    PATH1 = "path1"
    PATH2 = "path2"
    NFA = "nfa"


ROUTE_LABELS = {
    Route.PATH1: "Path 1 (case review)",
    Route.PATH2: "Path 2 (SI framework / PSIRF)",
    Route.NFA: "No further action",
}


class ReviewType(StrEnum):
    RAPID_REVIEW = "rapid_review"
    CSPR = "cspr"
    SAR = "sar"
    DHR = "dhr"
    DHR_CHILD = "dhr_child"
    NO_REVIEW = "no_review"


REVIEW_LABELS = {
    ReviewType.RAPID_REVIEW: "Rapid review",
    ReviewType.CSPR: "CSPR",
    ReviewType.SAR: "SAR",
    ReviewType.DHR: "DHR",
    ReviewType.DHR_CHILD: "DHR (child, 16-17)",
    ReviewType.NO_REVIEW: "No review",
}


class IdKind(StrEnum):
    STEIS = "steis"
    LFPSE = "lfpse"
    LOCAL = "local"
    SIN = "sin"
    HOME_OFFICE_DHR = "home_office_dhr"


ID_LABELS = {
    IdKind.STEIS: "StEIS",
    IdKind.LFPSE: "LFPSE",
    IdKind.LOCAL: "Local",
    IdKind.SIN: "SIN",
    IdKind.HOME_OFFICE_DHR: "Home Office DHR",
}


@dataclass(frozen=True)
class Actor:
    """A person acting through Teams. `aad_id` is the stable key for roles."""

    teams_id: str
    aad_id: str
    name: str = ""
    upn: str = ""

    @property
    def display(self) -> str:
        return self.name or "someone"


SYSTEM = Actor(teams_id="system", aad_id="system", name="Safeguarding Tracker")


@dataclass(frozen=True)
class PersonRef:
    """A person the record points at (owner, designated professional)."""

    aad_id: str
    name: str
    teams_id: str = ""


@dataclass(frozen=True)
class Identifier:
    kind: IdKind
    value: str


@dataclass(frozen=True)
class Decision:
    what: str
    by: str  # display name
    by_aad: str
    at: datetime
    detail: str = ""


@dataclass
class ActionItem:
    number: int
    text: str
    owner: PersonRef | None
    due: date | None
    status: str = "open"  # open | in_progress | complete | not_implemented


@dataclass
class Dissemination:
    kind: str  # 7-minute briefing, learning event, bulletin...
    on: date
    audience: str
    by: str
    level: str = "local"  # local | regional


@dataclass
class Note:
    text: str
    by: str
    at: datetime


@dataclass
class Discussion:
    on: date
    by: str
    note: str = ""


@dataclass
class Briefing:
    on: date
    by: str
    media_likely: bool = False


@dataclass
class Recipient:
    role: str
    aad_id: str
    teams_id: str
    name: str
    acknowledged_at: datetime | None = None


@dataclass
class Escalation:
    """A media-interest or regional/national escalation and who must acknowledge it."""

    number: int
    kind: str  # media | regional | national
    reason: str
    raised_by: str
    raised_at: datetime
    recipients: list[Recipient] = field(default_factory=list)
    missing_roles: list[str] = field(default_factory=list)
    chased: int = 0
    escalated_regional: bool = False

    @property
    def waiting(self) -> list[Recipient]:
        return [r for r in self.recipients if r.acknowledged_at is None]


@dataclass
class Case:
    number: int
    locality: str
    region: str
    created_at: datetime
    reported_by: str
    summary: str
    incident_date: date | None = None
    date_added: date | None = None
    state: State = State.NEW
    version: int = 1
    identifiers: list[Identifier] = field(default_factory=list)
    specialist_commissioned: bool = False
    media_interest: bool = False
    media_confirmed: bool = False
    investigation_level: str = ""
    strategy_meeting_on: date | None = None
    route: Route | None = None
    decisions: list[Decision] = field(default_factory=list)
    # Path 1 tracker record
    review_type: ReviewType | None = None
    converted: bool = False
    panel_date: date | None = None
    review_started_on: date | None = None
    stage: str = ""
    designated_professional: PersonRef | None = None
    partnership_board: str = ""
    themes: list[str] = field(default_factory=list)
    signed_off_on: date | None = None
    published_on: date | None = None
    report_url: str = ""
    embargo_until: date | None = None
    embargo_reason: str = ""
    close_reason: str = ""
    close_outcome: str = ""  # Path 2: the key of options.json "si_outcomes"
    recommendations: list[str] = field(default_factory=list)
    learning_themes: list[str] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    learning: list[Dissemination] = field(default_factory=list)
    comments: list[Note] = field(default_factory=list)
    discussions: list[Discussion] = field(default_factory=list)
    briefing: Briefing | None = None
    sin_notified_on: date | None = None
    home_office_qa_on: date | None = None  # DHR: Home Office quality assurance panel
    # Path 2
    framework: str = ""  # PSIRF | SIF 2015
    response_type: str = ""
    report_72h_on: date | None = None
    investigation_due_on: date | None = None
    escalations: list[Escalation] = field(default_factory=list)
    redacted: bool = False
    team_id: str = ""  # the Teams team whose channel carries the case thread
    age_group: str = ""  # "child" | "adult" | "" (not yet known): picks the clocks

    @property
    def closed(self) -> bool:
        return self.state.closed

    @property
    def status(self) -> str:
        return "closed" if self.closed else "open"

    def ids(self, kind: IdKind) -> list[str]:
        return [i.value for i in self.identifiers if i.kind == kind]

    @property
    def on_steis(self) -> bool:
        return bool(self.ids(IdKind.STEIS) or self.ids(IdKind.LFPSE))

    def last_decision(self, what: str) -> Decision | None:
        for d in reversed(self.decisions):
            if d.what == what:
                return d
        return None


def case_to_dict(case: Case) -> dict[str, Any]:
    """JSON-ready dict of a case (dates as ISO strings). The same as `dataclasses.asdict` then
    ISO dates, in one pass: asdict deep-copies every value, which made it the costliest step
    of a card click."""
    return _jsonable(case)  # type: ignore[no-any-return]


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@functools.cache
def _field_set(cls: type) -> frozenset[str]:
    return frozenset(_field_names(cls))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool | None):
        return value
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {n: _jsonable(getattr(value, n)) for n in _field_names(type(value))}
    if isinstance(value, tuple):
        return tuple(_jsonable(v) for v in value)
    return value


def case_from_dict(data: dict[str, Any]) -> Case:
    d = dict(data)
    d["created_at"] = datetime.fromisoformat(d["created_at"])
    for key in (
        "incident_date", "date_added", "strategy_meeting_on", "panel_date", "review_started_on",
        "signed_off_on", "published_on", "embargo_until", "sin_notified_on", "report_72h_on",
        "investigation_due_on", "home_office_qa_on",
    ):
        d[key] = _date(d.get(key))
    d["state"] = State(d["state"])
    d["route"] = Route(d["route"]) if d.get("route") else None
    d["review_type"] = ReviewType(d["review_type"]) if d.get("review_type") else None
    d["identifiers"] = [Identifier(IdKind(i["kind"]), i["value"]) for i in d.get("identifiers", [])]
    d["decisions"] = [
        Decision(**{**x, "at": datetime.fromisoformat(x["at"])}) for x in d.get("decisions", [])
    ]
    d["designated_professional"] = _person(d.get("designated_professional"))
    d["actions"] = [
        ActionItem(**{**a, "owner": _person(a.get("owner")), "due": _date(a.get("due"))})
        for a in d.get("actions", [])
    ]
    d["learning"] = [Dissemination(**{**x, "on": _date(x["on"])}) for x in d.get("learning", [])]
    d["comments"] = [
        Note(**{**x, "at": datetime.fromisoformat(x["at"])}) for x in d.get("comments", [])
    ]
    d["discussions"] = [Discussion(**{**x, "on": _date(x["on"])}) for x in d.get("discussions", [])]
    b = d.get("briefing")
    d["briefing"] = Briefing(**{**b, "on": _date(b["on"])}) if b else None
    d["escalations"] = [_escalation(x) for x in d.get("escalations", [])]
    known = _field_set(Case)
    return Case(**{k: v for k, v in d.items() if k in known})


def _escalation(x: dict[str, Any]) -> Escalation:
    recips = [
        Recipient(**{**r, "acknowledged_at": _dt(r.get("acknowledged_at"))})
        for r in x.get("recipients", [])
    ]
    return Escalation(**{**x, "raised_at": datetime.fromisoformat(x["raised_at"]),
                         "recipients": recips})


def _person(value: dict[str, Any] | None) -> PersonRef | None:
    return PersonRef(**value) if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None

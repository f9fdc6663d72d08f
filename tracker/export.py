"""One row per case, in the national Safeguarding Case Review Tracker's field order (domain brief
section 1.3), as plain strings ready for CSV or a spreadsheet."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from .model import ID_LABELS, REVIEW_LABELS, Case, IdKind
from .reference import Reference

Getter = Callable[[Case, Reference], str]


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _ids(kind: IdKind) -> Getter:
    return lambda c, r: "; ".join(c.ids(kind))


def _other_ids(c: Case, r: Reference) -> str:
    shown = (IdKind.STEIS, IdKind.LOCAL)
    return "; ".join(f"{ID_LABELS[i.kind]}: {i.value}" for i in c.identifiers
                     if i.kind not in shown)


def _theme(n: int) -> Getter:
    return lambda c, r: r.label("themes", c.themes[n]) if len(c.themes) > n and c.themes[n] \
        else ""


def _review_type(c: Case, r: Reference) -> str:
    if c.review_type is None:
        return ""
    return REVIEW_LABELS[c.review_type] + (" (converted)" if c.converted else "")


def _locality(c: Case, r: Reference) -> str:
    loc = r.localities.get(c.locality)
    return loc.name if loc else c.locality


def _actions(c: Case, r: Reference) -> str:
    out = []
    for a in c.actions:
        owner = f"; owner {a.owner.name}" if a.owner else ""
        due = f"; due {a.due.isoformat()}" if a.due else ""
        out.append(f"{a.number}. {a.text}{owner}{due}; "
                   f"{r.label('action_statuses', a.status).lower()}")
    return "\n".join(out)


def _learning(c: Case, r: Reference) -> str:
    return "\n".join(f"{r.label('dissemination_kinds', x.kind)}, {x.on.isoformat()}, "
                     f"{x.audience}" for x in c.learning)


def _comments(c: Case, r: Reference) -> str:
    return "\n".join(f"{n.at:%Y-%m-%d} {n.by}: {n.text}" for n in c.comments)


# (column heading, how to read it); the order is the national tracker's.
COLUMNS: tuple[tuple[str, Getter], ...] = (
    ("Case number", lambda c, r: str(c.number)),
    ("StEIS number", _ids(IdKind.STEIS)),
    ("Local reference number", _ids(IdKind.LOCAL)),
    ("Status", lambda c, r: "Closed" if c.closed else "Open"),
    ("Date of incident", lambda c, r: _day(c.incident_date)),
    ("Date added", lambda c, r: _day(c.date_added)),
    ("Designated professional",
     lambda c, r: c.designated_professional.name if c.designated_professional else ""),
    ("Safeguarding Partnership Board", lambda c, r: c.partnership_board),
    ("Identifier type(s)", _other_ids),
    ("Case information", lambda c, r: c.summary),
    ("Abuse/vulnerability theme 1", _theme(0)),
    ("Abuse/vulnerability theme 2", _theme(1)),
    ("Abuse/vulnerability theme 3", _theme(2)),
    ("Type of review", _review_type),
    ("Report signed off date", lambda c, r: _day(c.signed_off_on)),
    ("Comments", _comments),
    ("Review stage", lambda c, r: r.label("review_stages", c.stage) if c.stage else ""),
    ("Locality", _locality),
    ("Publication date", lambda c, r: _day(c.published_on)),
    ("Link to final report", lambda c, r: c.report_url),
    ("Recommendations", lambda c, r: "\n".join(c.recommendations)),
    ("Themes", lambda c, r: "\n".join(c.learning_themes)),
    ("Actions required", _actions),
    ("Learning dissemination", _learning),
)
HEADINGS = tuple(h for h, _ in COLUMNS)


def export_row(case: Case, ref: Reference) -> list[str]:
    return [get(case, ref) for _, get in COLUMNS]

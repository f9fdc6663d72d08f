"""Retention: after a closed case's retention period, its free text goes; its skeleton stays.

What counts as free text (redacted) and what is skeleton (kept) is decided here, field by field,
and a test fails when a new Case field is in neither list. See docs/security.md for the why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from .audit import REDACTED
from .model import Case, State
from .ports import EventRecord
from .reference import Reference

# field -> None (the field is text, or a list of texts) or the text attributes of its items.
FREE_TEXT: dict[str, tuple[str, ...] | None] = {
    "summary": None,
    "close_reason": None,
    "embargo_reason": None,
    "recommendations": None,
    "decisions": ("detail",),
    "actions": ("text",),
    "learning": ("audience",),
    "comments": ("text",),
    "discussions": ("note",),
    "escalations": ("reason",),
}
# Kept: numbers, dates, states and option keys; reference numbers (StEIS, LFPSE, local, SIN,
# Home Office) which identify the incident, not the patient; organisations (the reporting
# organisation, the partnership board); staff (designated professional, who decided what);
# the public link to a published report.
SKELETON = frozenset({
    "number", "locality", "region", "created_at", "reported_by", "incident_date", "date_added",
    "state", "version", "identifiers", "specialist_commissioned", "media_interest",
    "media_confirmed", "investigation_level", "strategy_meeting_on", "route", "review_type",
    "converted", "panel_date", "review_started_on", "stage", "designated_professional",
    "partnership_board", "themes", "signed_off_on", "published_on", "report_url",
    "embargo_until", "learning_themes", "briefing", "sin_notified_on", "framework",
    "response_type", "report_72h_on", "investigation_due_on", "redacted", "team_id",
    "age_group", "home_office_qa_on", "close_outcome",
})


def unclassified() -> set[str]:
    """Case fields that are neither free text nor skeleton (should be empty)."""
    return {f.name for f in dataclasses.fields(Case)} - set(FREE_TEXT) - SKELETON


def redact(case: Case) -> list[str]:
    """Replace every piece of free text on `case`; returns the fields that held some."""
    changed = []
    for name, attrs in FREE_TEXT.items():
        value = getattr(case, name, None)
        new = _redact_value(value, attrs)
        if new != value:
            setattr(case, name, new)
            changed.append(name)
    case.redacted = True
    return changed


def _redact_value(value: Any, attrs: tuple[str, ...] | None) -> Any:
    if isinstance(value, str):
        return REDACTED if value else value
    if isinstance(value, list):
        if attrs is None:
            return [REDACTED if isinstance(v, str) and v else v for v in value]
        return [dataclasses.replace(v, **{a: REDACTED for a in attrs if getattr(v, a, "")})
                for v in value]
    return value


def years_for(ref: Reference, case: Case) -> int:
    years = ref.retention_years
    key = case.review_type.value if case.review_type else "default"
    return int(years.get(key, years["default"]))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def closed_at(events: Sequence[EventRecord]) -> datetime | None:
    """When the case last moved into a closed state, from its events (any order)."""
    closing = [e.at for e in events
               if _closed_value((e.data.get("changes") or {}).get("state", {}))]
    return max(closing, default=None)


def _closed_value(change: Any) -> bool:
    new = change.get("new") if isinstance(change, dict) else None
    return isinstance(new, str) and new in {s.value for s in State if s.closed}

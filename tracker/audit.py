"""The audit trail as people read it, and how its free text is kept apart from its skeleton.

Events are append-only. Free text in an event (a note, a reason, an old summary) is stored
beside the event, not in it, so that the retention job can remove the text of a case past its
retention period while every event itself stays untouched (see docs/security.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from .clock import london
from .model import (
    ID_LABELS,
    REVIEW_LABELS,
    ROUTE_LABELS,
    STATE_LABELS,
    IdKind,
    ReviewType,
    Route,
    State,
)
from .permissions import ACTION_WORDS
from .ports import EventRecord
from .text import short

if TYPE_CHECKING:
    from .reference import Reference

# Case fields whose values are free text people typed (see tracker/retention.py for the rest).
FREE_TEXT_FIELDS = frozenset({
    "summary", "close_reason", "embargo_reason", "comments", "recommendations", "actions",
    "learning", "discussions", "escalations", "decisions", "note", "notes", "text", "reason",
    "detail", "description",
    "comment", "recommendation", "learning_theme",  # the record's "append" fields
})
# Top-level event keys that carry free text.
FREE_TEXT_KEYS = frozenset({"detail", "note", "text", "reason", "summary", "description"})
REDACTED = "[removed under the retention policy]"
_MARK = "$text"


def split_free_text(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(data with each free-text value replaced by a marker, {path: value})."""
    texts: dict[str, Any] = {}
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in FREE_TEXT_KEYS and value not in (None, "", [], {}):
            texts[key] = value
            out[key] = {_MARK: key}
        elif key == "changes" and isinstance(value, Mapping):
            out[key] = {}
            for fld, change in value.items():
                if fld in FREE_TEXT_FIELDS and isinstance(change, Mapping):
                    kept = dict(change)
                    for side in ("old", "new"):
                        if kept.get(side) not in (None, "", [], {}):
                            path = f"changes.{fld}.{side}"
                            texts[path] = kept[side]
                            kept[side] = {_MARK: path}
                    out[key][fld] = kept
                else:
                    out[key][fld] = change
        else:
            out[key] = value
    return out, texts


def join_free_text(data: Any, texts: Mapping[str, Any]) -> Any:
    """Put the free text back; a value removed under retention reads as REDACTED."""
    if isinstance(data, dict):
        if set(data) == {_MARK}:
            return texts.get(data[_MARK], REDACTED)
        return {k: join_free_text(v, texts) for k, v in data.items()}
    if isinstance(data, list):
        return [join_free_text(v, texts) for v in data]
    return data


# --- the timeline as people read it --------------------------------------------------------
@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Entry:
    at: datetime
    who: str
    what: str
    changes: tuple[Change, ...] = ()
    detail: str = ""
    refused: bool = False


def entry(event: EventRecord, ref: Reference | None = None) -> Entry:
    """One event as people read it: labels, not keys; UK dates; no internal codes."""
    words = Words(ref)
    data = event.data or {}
    who = event.actor_name or event.actor_aad_id or "someone"
    if event.kind == "permission_denied":
        action = str(data.get("action", ""))
        what = f"refused: tried to {ACTION_WORDS.get(action, action or 'do something')}"
        return Entry(event.at, who, what, detail=short(words.text(data.get("reason", ""))),
                     refused=True)
    what = _what(str(data.get("what") or event.kind.replace("_", " ")))
    changes = tuple(words.change(k, v) for k, v in (data.get("changes") or {}).items()
                    if isinstance(v, Mapping))
    return Entry(event.at, who, what, changes, short(data.get("detail", "")))


def _what(text: str) -> str:
    return _PATH.sub(lambda m: f"Path {m[1]}", text.replace("_", " "))


_PATH = re.compile(r"\bpath\s?([12])\b", re.I)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_IN_TEXT_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
_ACTION_STATUS = re.compile(r"^action_(\d+)_status$")

# What each recorded field is called on the card, where record_fields has no label for it.
FIELD_LABELS = {
    "route": "Route", "locality": "Locality", "identifiers": "Identifiers", "state": "State",
    "investigation_level": "Level of investigation", "strategy_meeting_on": "Strategy meeting",
    "framework": "Framework", "response_type": "Learning response",
    "report_72h_on": "72-hour report received", "investigation_due_on": "Investigation due",
    "specialist_commissioned": "Specialist commissioned", "media_interest": "Media interest",
    "media_confirmed": "Media attention confirmed", "designated_professional":
    "Designated professional", "close_reason": "Reason closed", "close_outcome": "Outcome",
    "embargo_until": "Embargoed until", "embargo_reason": "Reason for the embargo",
    "reopen_reason": "Reason reopened", "converted": "Converted from Rapid Review",
    "briefing": "Pre-publication briefing", "escalations": "Escalation",
    "escalated_regional": "Passed to the regional lead", "themes": "Themes",
    "age_group": "Child or adult", "home_office_qa_on": "Home Office QA date",
}
# Which option list (tracker/data/options.json) a field's values come from.
FIELD_OPTIONS = {
    "investigation_level": "investigation_levels", "framework": "frameworks",
    "response_type": "response_types", "stage": "review_stages", "theme_1": "themes",
    "theme_2": "themes", "theme_3": "themes", "themes": "themes", "age_group": "age_groups",
    "close_outcome": "si_outcomes",
}


class Words:
    """Turns recorded keys and values into the words the cards use."""

    def __init__(self, ref: Reference | None) -> None:
        self.ref = ref
        self.codes: dict[str, str] = {}
        if ref is not None:
            for options in ref.options.values():
                self.codes |= {o.key: o.label for o in options}
            self.codes |= {key: o.label for key, o in ref.roles.items()}

    def field(self, name: str) -> str:
        from .record_fields import BY_KEY

        found = _ACTION_STATUS.match(name)
        if found:
            return f"Action {found[1]} status"
        if name in FIELD_LABELS:
            return FIELD_LABELS[name]
        if name in BY_KEY:
            return BY_KEY[name].label
        return name.replace("_", " ").capitalize()

    def change(self, name: str, change: Mapping[str, Any]) -> Change:
        old, new = change.get("old"), change.get("new")
        label = self.field(name)
        if isinstance(old, list) and isinstance(new, list):  # show what was added or removed
            added = [x for x in new if x not in old]
            removed = [x for x in old if x not in new]
            old, new = (removed or None), (added or None)
            if old is None and new is not None:
                return Change(label, "added", self.value(name, new))
        if old is None and name in ("identifiers", "locality"):  # set at intake
            return Change(label, "", self.value(name, new))
        return Change(label, self.value(name, old), self.value(name, new))

    def value(self, name: str, value: Any) -> str:
        if value in (None, "", [], {}):
            return "(none)"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return "; ".join(self.value(name, v) for v in value)
        if isinstance(value, Mapping):
            return short(self._mapping(name, value))
        text = str(value)
        if name == "state" and text in _STATES:
            return STATE_LABELS[State(text)]
        if name == "route" and text in _ROUTES:
            return ROUTE_LABELS[Route(text)]
        if name == "review_type" and text in _REVIEWS:
            return REVIEW_LABELS[ReviewType(text)]
        if name == "locality" and self.ref is not None and text in self.ref.localities:
            return self.ref.localities[text].name
        if name == "identifiers" and ":" in text:
            kind, _, ident = text.partition(":")
            if kind in _IDS:
                return f"{ID_LABELS[IdKind(kind)]} {ident}"
        if name in FIELD_OPTIONS and self.ref is not None:
            label = self.ref.label(FIELD_OPTIONS[name], text)
            if label != text:
                return label
        if _ACTION_STATUS.match(name) and self.ref is not None:
            return self.ref.label("action_statuses", text)
        return short(self.text(text))

    def text(self, value: Any) -> str:
        """A value in words: UK dates, labels for codes, no snake_case keys."""
        text = str(value)
        if _ISO_DATE.match(text):
            return f"{date.fromisoformat(text):%d %b %Y}"
        if _ISO_TIME.match(text):
            try:
                at = datetime.fromisoformat(text)
            except ValueError:
                return text
            return f"{london(at):%d %b %Y %H:%M}" if at.tzinfo else f"{at:%d %b %Y %H:%M}"
        if _SNAKE.match(text):
            return self.codes.get(text, text.replace("_", " "))
        return _IN_TEXT_DATE.sub(_uk_date, self._roles_in(text))

    def _roles_in(self, text: str) -> str:
        """Role keys inside recorded text (an escalation summary) as their labels."""
        if self.ref is None or "_" not in text:
            return text
        for key, opt in self.ref.roles.items():
            text = text.replace(key, opt.label.lower())
        return text

    def _mapping(self, name: str, value: Mapping[str, Any]) -> str:
        for key in ("text", "what", "reason", "name", "value"):
            if isinstance(value.get(key), str):
                return self.text(value[key])
        parts = []
        for key, item in value.items():
            if item in (None, "", [], {}, False) or key in ("number", "aad_id", "teams_id"):
                continue
            words = key.replace("_", " ")
            parts.append(words if item is True else f"{words} {self.value(key, item)}")
        return ", ".join(parts)


_STATES = {s.value for s in State}
_ROUTES = {r.value for r in Route}
_REVIEWS = {r.value for r in ReviewType}
_IDS = {k.value for k in IdKind}


def _uk_date(found: re.Match[str]) -> str:
    try:
        return f"{date.fromisoformat(found[1]):%d %b %Y}"
    except ValueError:
        return found[1]

"""The audit trail as people read it, and how its free text is kept apart from its skeleton.

Events are append-only. Free text in an event (a note, a reason, an old summary) is stored
beside the event, not in it, so that the retention job can remove the text of a case past its
retention period while every event itself stays untouched (see docs/security.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .model import STATE_LABELS, State
from .permissions import ACTION_WORDS
from .ports import EventRecord

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


def entry(event: EventRecord) -> Entry:
    data = event.data or {}
    who = event.actor_name or event.actor_aad_id or "someone"
    if event.kind == "permission_denied":
        action = str(data.get("action", ""))
        what = f"refused: tried to {ACTION_WORDS.get(action, action or 'do something')}"
        return Entry(event.at, who, what, detail=_short(data.get("reason", "")), refused=True)
    what = str(data.get("what") or event.kind.replace("_", " "))
    changes = tuple(_change(k, v) for k, v in (data.get("changes") or {}).items()
                    if isinstance(v, Mapping))
    return Entry(event.at, who, what, changes, _short(data.get("detail", "")))


def _change(field: str, change: Mapping[str, Any]) -> Change:
    old, new = change.get("old"), change.get("new")
    if isinstance(old, list) and isinstance(new, list):  # show what was added or removed
        added = [x for x in new if x not in old]
        removed = [x for x in old if x not in new]
        old, new = (removed or None), (added or None)
        if old is None and new is not None:
            return Change(_words(field), "added", _value(field, new))
    return Change(_words(field), _value(field, old), _value(field, new))


def _value(field: str, value: Any) -> str:
    if value in (None, "", [], {}):
        return "(none)"
    if field == "state" and isinstance(value, str) and value in {s.value for s in State}:
        return STATE_LABELS[State(value)]
    if isinstance(value, list):
        return "; ".join(_value(field, v) for v in value)
    if isinstance(value, Mapping):
        for key in ("text", "what", "reason", "kind", "name", "value"):
            if isinstance(value.get(key), str):
                return _short(value[key])
        return _short(json.dumps(value, ensure_ascii=False, default=str))
    return _short(str(value))


def _words(field: str) -> str:
    return field.replace("_", " ")


def _short(text: Any, limit: int = 300) -> str:
    text = str(text or "")
    return text if len(text) <= limit else text[: limit - 1] + "…"

"""The tracker record's editable fields: the words people type for each, and how values are read.

Commands (`update case 42 stage analysis`) and card forms (`upd_stage`) both end up here, so a
value is checked the same way whichever surface it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .errors import InvalidInput
from .model import IdKind
from .text import short

TEXT_MAX = 200
SUMMARY_MAX = 600
NOTE_MAX = 1000
URL_MAX = 500
ID_MAX = 40


@dataclass(frozen=True)
class Field:
    key: str  # the name in events, forms ("upd_<key>") and the service's `values`
    label: str  # what people see
    kind: str  # option | date | text | url | identifier | append
    words: tuple[str, ...]  # what commands accept, besides the label
    option: str = ""  # the option list, for kind "option"
    limit: int = TEXT_MAX


def _f(key: str, label: str, kind: str, *words: str, option: str = "",
       limit: int = TEXT_MAX) -> Field:
    return Field(key, label, kind, words, option, limit)


FIELDS: tuple[Field, ...] = (
    _f("stage", "Review stage", "option", "stage", option="review_stages"),
    _f("review_type", "Type of review", "option", "type", "review type", option="review_types"),
    _f("partnership_board", "Safeguarding partnership board", "text", "partnership",
       "board", "partnership board"),
    _f("theme_1", "Abuse/vulnerability theme 1", "option", "theme 1", "theme1", "theme",
       option="themes"),
    _f("theme_2", "Abuse/vulnerability theme 2", "option", "theme 2", "theme2", option="themes"),
    _f("theme_3", "Abuse/vulnerability theme 3", "option", "theme 3", "theme3", option="themes"),
    _f("incident_date", "Date of incident", "date", "incident date", "incident"),
    _f("date_added", "Date added", "date", "added"),
    _f("panel_date", "Panel date", "date", "panel"),
    _f("review_started_on", "Review started", "date", "started", "initiated",
       "review start"),
    _f("sin_notified_on", "SIN notified", "date", "sin sent", "sin date", "sin notification"),
    _f("signed_off_on", "Report signed off", "date", "signed off", "sign off", "signed-off",
       "report signed off date"),
    _f("home_office_qa_on", "Home Office QA date", "date", "home office qa", "ho qa",
       "home office quality assurance", "qa date", "qa"),
    _f("age_group", "Child or adult", "option", "age group", "age", "child or adult",
       option="age_groups"),
    _f("published_on", "Publication date", "date", "published", "published on"),
    _f("report_url", "Link to final report", "url", "report", "link", "report link",
       "report url", "final report", limit=URL_MAX),
    _f("summary", "Case information", "text", "case info", "information", "summary",
       limit=SUMMARY_MAX),
    _f("steis", "StEIS number", "identifier", "steis", limit=ID_MAX),
    _f("lfpse", "LFPSE reference", "identifier", "lfpse", limit=ID_MAX),
    _f("local", "Local reference", "identifier", "local", "local ref", limit=ID_MAX),
    _f("sin", "SIN reference", "identifier", "sin", "sin ref", limit=ID_MAX),
    _f("home_office_dhr", "Home Office DHR reference", "identifier", "home office dhr",
       "ho dhr", "dhr reference", limit=ID_MAX),
    _f("recommendation", "Recommendation", "append", "add recommendation", limit=NOTE_MAX),
    _f("learning_theme", "Learning theme", "append", "theme learning", limit=TEXT_MAX),
    _f("comment", "Comment", "append", "note", "comments", limit=NOTE_MAX),
)
BY_KEY = {f.key: f for f in FIELDS}
ID_FIELDS = {"steis": IdKind.STEIS, "lfpse": IdKind.LFPSE, "local": IdKind.LOCAL,
             "sin": IdKind.SIN, "home_office_dhr": IdKind.HOME_OFFICE_DHR}
THEME_FIELDS = ("theme_1", "theme_2", "theme_3")
# Fields a card form may clear by emptying them (dates, options and links; never the summary).
CLEARABLE = frozenset({"stage", "partnership_board", *THEME_FIELDS, "panel_date",
                       "review_started_on", "sin_notified_on", "signed_off_on", "published_on",
                       "report_url", "home_office_qa_on", "age_group"})


def _norm(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.strip().lower())


def _phrases() -> list[tuple[re.Pattern[str], Field]]:
    words = {(_norm(w), f) for f in FIELDS for w in (f.key.replace("_", " "), f.label, *f.words)}
    ordered = sorted(words, key=lambda p: (-len(p[0]), p[0]))  # "sin notified" before "sin"
    return [(re.compile(r"[\s_]+".join(map(re.escape, w.split())) + r"(?=$|[\s:=])", re.I), f)
            for w, f in ordered]


_PHRASES = _phrases()


def names() -> str:
    """The field names to suggest, e.g. in the answer to an unknown field."""
    return ", ".join(["designated professional @name",
                      *(f.key.replace("_", " ") for f in FIELDS)])


def match(text: str) -> tuple[Field, str]:
    """`stage analysis` -> (the stage field, "analysis"). Unknown fields get a clear answer."""
    said = text.strip()
    for phrase, field in _PHRASES:
        found = phrase.match(said)
        if found:
            rest = said[found.end():].lstrip(" :=")
            rest = re.sub(r"^(to|as|is)\s+", "", rest, flags=re.I)
            return field, rest.strip()
    first = " ".join(text.split()[:2]) or "that"
    raise InvalidInput({"field": f"I don't know a record field called '{first}'. You can "
                                 f"update: {names()}."})


def read_day(text: str, key: str, today: date, *, allow_future: bool = False) -> date | None:
    """An ISO date (or `today`); "" gives None. Dates of things that happened can't be ahead."""
    value = text.strip()
    if not value:
        return None
    if value.lower() == "today":
        return today
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        raise InvalidInput({key: f"'{short(value, 20)}' is not a date. Use a date like "
                                 f"{today:%Y-%m-%d}."}) from None
    if day > today and not allow_future:
        raise InvalidInput({key: "That date is in the future; give the date it happened."})
    return day


_URL = re.compile(r"^https?://[^\s<>\"']+\.[^\s<>\"']+$", re.I)


def read_url(text: str, key: str = "report_url") -> str:
    value = text.strip().strip("<>")
    if not value:
        return ""
    if len(value) > URL_MAX or not _URL.match(value):
        raise InvalidInput({key: "Give the full link to the published report, starting "
                                 "https://."})
    return value


def read_text(text: str, field: Field) -> str:
    value = " ".join(text.split()) if field.kind != "append" else text.strip()
    if len(value) > field.limit:
        raise InvalidInput({field.key: f"Keep {field.label.lower()} under {field.limit} "
                                       "characters."})
    return value

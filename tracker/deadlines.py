"""Clocks: working days (weekends and English bank holidays skipped) and due dates. Which figure
is statutory and which is guidance or local practice is in docs/path1.md; the figures are in
tracker/data/timescales.json."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import holidays

from .model import Case


class WorkingDays:
    """Working-day arithmetic for England."""

    def __init__(self) -> None:
        self._hols = holidays.country_holidays("GB", subdiv="ENG")

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._hols

    def add(self, start: date, days: int) -> date:
        """The date `days` working days after `start` (start itself not counted)."""
        day = start
        left = days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def back(self, end: date, days: int) -> date:
        """The date `days` working days before `end`."""
        day = end
        left = days
        while left > 0:
            day -= timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative if end < start)."""
        sign = 1 if end >= start else -1
        lo, hi = sorted((start, end))
        n = sum(1 for i in range(1, (hi - lo).days + 1) if self.is_working_day(lo + timedelta(i)))
        return sign * n


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Clock:
    key: str
    label: str
    due: date
    done: bool

    def days_left(self, today: date) -> int:
        return (self.due - today).days

    def overdue(self, today: date) -> bool:
        return not self.done and today > self.due

    def describe(self, today: date) -> str:
        if self.done:
            return f"{self.due:%d %b %Y} (met)"
        left = self.days_left(today)
        if left < 0:
            return f"{self.due:%d %b %Y}, {-left} day{'s' if left != -1 else ''} overdue"
        if left == 0:
            return f"{self.due:%d %b %Y}, due today"
        return f"{self.due:%d %b %Y}, {left} day{'s' if left != 1 else ''} left"


def _matches(case: Case, test: dict[str, Any]) -> dict[str, bool]:
    """Each filter of a rule ("review_types", "frameworks", "routes", "age_groups") that is
    present, and whether the case passes it."""
    values = {"review_types": case.review_type.value if case.review_type else None,
              "frameworks": case.framework, "routes": case.route.value if case.route else None,
              "age_groups": case.age_group}
    return {k: values[k] in test[k] for k in values if k in test}


def clocks_for(case: Case, rules: dict[str, Any], wd: WorkingDays) -> list[Clock]:
    """Every clock that applies to the case now, from the timescales data.

    A rule's filters must all pass; of its "if_any" filters at least one must. "due_field"
    names a record field that, once set (an agreed date), replaces the computed due date."""
    out = []
    for rule in rules["clocks"]:
        if not all(_matches(case, rule).values()):
            continue
        if "if_any" in rule and not any(_matches(case, rule["if_any"]).values()):
            continue
        states = rule.get("states")
        in_state = states is None or case.state.value in states
        start = next((getattr(case, f) for f in rule["from"] if getattr(case, f, None)), None)
        if start is None:
            continue
        done_field = rule.get("done_when")
        done = bool(done_field and getattr(case, done_field, None))
        if (not in_state or case.closed) and not done:
            continue  # the case has moved past this clock (a closed case runs none)
        agreed = getattr(case, rule["due_field"], None) if rule.get("due_field") else None
        label = rule["label"] + (" (agreed date)" if agreed else "")
        out.append(Clock(rule["key"], label, agreed or _due(start, rule, wd), done))
    return out


def _due(start: date, rule: dict[str, Any], wd: WorkingDays) -> date:
    if "working_days" in rule:
        return wd.add(start, int(rule["working_days"]))
    if "months" in rule:
        return add_months(start, int(rule["months"]))
    return start + timedelta(days=int(rule.get("calendar_days", 0)))


def next_due(case: Case, rules: dict[str, Any], wd: WorkingDays) -> date | None:
    """The earliest running clock, stored on the case row so `overdue` is one indexed query."""
    if case.closed:
        return None
    running = [c.due for c in clocks_for(case, rules, wd) if not c.done]
    running += [a.due for a in case.actions if a.due and a.status in ("open", "in_progress")]
    return min(running, default=None)

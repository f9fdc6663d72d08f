"""The national collection's figures for an ICB or a region and a month or a quarter: what the
tab's Statistics page shows. Pure functions over the cases the viewer may see."""

from __future__ import annotations

import re
import statistics as stats
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from .deadlines import add_months
from .model import REVIEW_LABELS, ROUTE_LABELS, Case, ReviewType, State
from .reference import Reference

TARGET_MONTHS = 6
"""Guidance: a case review is published within six months of the decision to review."""

NOT_ROUTED = "Not yet routed"
NO_TYPE = "No review type yet"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive
    key: str
    label: str

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(), UTC)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time(), UTC)


def parse_period(text: str) -> Period | None:
    """`2026-11` (a month) or `2026-Q4` (a calendar quarter); None if neither."""
    text = text.strip()
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if not (1 <= month <= 12 and 2000 <= year <= 2100):
            return None
        start = date(year, month, 1)
        return Period(start, add_months(start, 1), text, f"{start:%B %Y}")
    if m := _QUARTER.match(text):
        year, q = int(m[1]), int(m[2])
        if not 2000 <= year <= 2100:
            return None
        start = date(year, 3 * q - 2, 1)
        end = add_months(start, 3)
        return Period(start, end, f"{year}-Q{q}",
                      f"Quarter {q} {year} ({start:%b} to {add_months(start, 2):%b})")
    return None


def month_of(day: date) -> Period:
    period = parse_period(f"{day:%Y-%m}")
    assert period is not None
    return period


def closed_on(case: Case) -> date | None:
    """When a closed case closed: the day of its last decision (close, route to no further
    action, panel's no review, SI complete); None while it is open."""
    if not case.closed:
        return None
    if case.decisions:
        return case.decisions[-1].at.astimezone(UTC).date()
    return case.published_on or case.created_at.date()


Rows = list[tuple[str, int]]


@dataclass(frozen=True)
class Figures:
    """Everything on the Statistics page. Each list is (label, count), ready for a chart and
    its table."""

    new_total: int
    new_by_path: Rows
    new_by_type: Rows
    rapid_reviews: int
    converted: int
    closed: int
    published: int
    embargoed: int
    days_to_publication: tuple[int, ...]
    median_days: float | None
    within_target: int
    past_deadline: Rows  # open cases past a deadline now, by ICB
    themes: Rows

    @property
    def outcomes(self) -> Rows:
        return [("Closed", self.closed), ("Published", self.published),
                ("Embargoed", self.embargoed)]

    @property
    def rapid(self) -> Rows:
        return [("Rapid Reviews", self.rapid_reviews), ("Converted to a CSPR", self.converted)]


def _counted(counter: Counter[str], order: Iterable[str]) -> Rows:
    known = [(k, counter[k]) for k in order if counter[k]]
    rest = sorted((k, n) for k, n in counter.items() if k not in set(order))
    return known + rest


def review_start(case: Case) -> date:
    """Where the clock to publication starts: the review's start, else the panel's decision,
    else the day the case was added."""
    return case.review_started_on or case.panel_date or case.date_added or case.created_at.date()


def target_date(case: Case) -> date:
    return add_months(review_start(case), TARGET_MONTHS)


def days_to_publication(case: Case) -> int | None:
    if case.published_on is None:
        return None
    return (case.published_on - review_start(case)).days


def figures(new: Iterable[Case], closed: Iterable[Case], past_deadline: Mapping[str, int],
            ref: Reference, period: Period) -> Figures:
    """`new`: cases created in the period; `closed`: cases closed in the period (both already
    limited to the area and the viewer's scope); `past_deadline`: open cases past a deadline
    now, by locality key."""
    new = list(new)
    paths: Counter[str] = Counter()
    types: Counter[str] = Counter()
    themes: Counter[str] = Counter()
    rapid = converted = 0
    for c in new:
        paths[ROUTE_LABELS[c.route] if c.route else NOT_ROUTED] += 1
        types[REVIEW_LABELS[c.review_type] if c.review_type else NO_TYPE] += 1
        if c.review_type is ReviewType.RAPID_REVIEW or c.converted:
            rapid += 1
        if c.converted and c.review_type is ReviewType.CSPR:
            converted += 1
        for t in dict.fromkeys(x for x in c.themes if x):
            themes[ref.label("themes", t)] += 1
    shut = [c for c in closed if (d := closed_on(c)) and period.start <= d < period.end]
    published = [c for c in shut if c.state is State.CLOSED_PUBLISHED and c.published_on]
    days = tuple(sorted(n for c in published if (n := days_to_publication(c)) is not None))
    within = sum(1 for c in published if c.published_on and c.published_on <= target_date(c))

    names = {k: loc.name for k, loc in ref.localities.items()}
    late = sorted(((names.get(k, k), n) for k, n in past_deadline.items() if n),
                  key=lambda x: (-x[1], x[0]))
    return Figures(
        new_total=len(new),
        new_by_path=_counted(paths, [*ROUTE_LABELS.values(), NOT_ROUTED]),
        new_by_type=_counted(types, [*REVIEW_LABELS.values(), NO_TYPE]),
        rapid_reviews=rapid, converted=converted, closed=len(shut), published=len(published),
        embargoed=sum(1 for c in shut if c.state is State.CLOSED_EMBARGOED),
        days_to_publication=days, median_days=stats.median(days) if days else None,
        within_target=within, past_deadline=late,
        themes=sorted(themes.items(), key=lambda x: (-x[1], x[0])))

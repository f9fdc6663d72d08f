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
from .model import REVIEW_LABELS, ROUTE_LABELS, Case, ReviewType, Route, State
from .ports import PeriodRows
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


def rows_of(new: Iterable[Case], closed: Iterable[Case], period: Period) -> PeriodRows:
    """What the database counts (storage/cases.py `period_rows`), from the cases themselves:
    the definition the SQL must agree with (tests/test_tab_statistics.py)."""
    by_route_type: Counter[tuple[str, str]] = Counter()
    converted: Counter[str] = Counter()
    themes = []
    for c in new:
        rtype = c.review_type.value if c.review_type else ""
        by_route_type[(c.route.value if c.route else "", rtype)] += 1
        if c.converted:
            converted[rtype] += 1
        themes.append(list(c.themes))
    shut = [c for c in closed if (d := closed_on(c)) and period.start <= d < period.end]
    states = Counter(c.state.value for c in shut)
    published = [(c.published_on, review_start(c)) for c in shut
                 if c.state is State.CLOSED_PUBLISHED and c.published_on]
    return PeriodRows(dict(by_route_type), dict(converted), themes, dict(states), published)


def figures(new: Iterable[Case], closed: Iterable[Case], past_deadline: Mapping[str, int],
            ref: Reference, period: Period) -> Figures:
    """`new`: cases created in the period; `closed`: cases that may have closed in it (both
    already limited to the area and the viewer's scope)."""
    return figures_from(rows_of(new, closed, period), past_deadline, ref)


def figures_from(rows: PeriodRows, past_deadline: Mapping[str, int], ref: Reference) -> Figures:
    """The page's figures from what the database counted; `past_deadline`: open cases past a
    deadline now, by locality key."""
    paths: Counter[str] = Counter()
    types: Counter[str] = Counter()
    for (route, rtype), n in rows.new_by_route_type.items():
        paths[ROUTE_LABELS[Route(route)] if route else NOT_ROUTED] += n
        types[REVIEW_LABELS[ReviewType(rtype)] if rtype else NO_TYPE] += n
    rapid_type = sum(n for (_, rtype), n in rows.new_by_route_type.items()
                     if rtype == ReviewType.RAPID_REVIEW.value)
    rapid = rapid_type + sum(n for t, n in rows.new_converted.items()
                             if t != ReviewType.RAPID_REVIEW.value)
    themes: Counter[str] = Counter()
    for case_themes in rows.new_themes:
        for key in dict.fromkeys(x for x in case_themes if x):
            themes[ref.label("themes", key)] += 1
    days = tuple(sorted((on - start).days for on, start in rows.published))
    within = sum(1 for on, start in rows.published if on <= add_months(start, TARGET_MONTHS))
    names = {k: loc.name for k, loc in ref.localities.items()}
    late = sorted(((names.get(k, k), n) for k, n in past_deadline.items() if n),
                  key=lambda x: (-x[1], x[0]))
    states = rows.closed_by_state
    return Figures(
        new_total=sum(rows.new_by_route_type.values()),
        new_by_path=_counted(paths, [*ROUTE_LABELS.values(), NOT_ROUTED]),
        new_by_type=_counted(types, [*REVIEW_LABELS.values(), NO_TYPE]),
        rapid_reviews=rapid, converted=rows.new_converted.get(ReviewType.CSPR.value, 0),
        closed=sum(states.values()), published=len(rows.published),
        embargoed=states.get(State.CLOSED_EMBARGOED.value, 0),
        days_to_publication=days, median_days=stats.median(days) if days else None,
        within_target=within, past_deadline=late,
        themes=sorted(themes.items(), key=lambda x: (-x[1], x[0])))

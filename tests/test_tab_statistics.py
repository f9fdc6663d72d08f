"""The Statistics page's figures (tracker/statistics.py) on the known cases, and periods."""

from __future__ import annotations

from datetime import date

import pytest

from tests.support.tab_world import CORNWALL, DEVON, DEVON_Q4, known_cases
from tracker.model import State
from tracker.reference import Reference
from tracker.statistics import closed_on, figures, parse_period

REF = Reference.load()


@pytest.mark.parametrize("text,start,end,label", [
    ("2026-11", date(2026, 11, 1), date(2026, 12, 1), "November 2026"),
    ("2026-12", date(2026, 12, 1), date(2027, 1, 1), "December 2026"),
    ("2026-Q4", date(2026, 10, 1), date(2027, 1, 1), "Quarter 4 2026 (Oct to Dec)"),
    ("2027-q1", date(2027, 1, 1), date(2027, 4, 1), "Quarter 1 2027 (Jan to Mar)"),
])
def test_periods(text: str, start: date, end: date, label: str) -> None:
    p = parse_period(text)
    assert p is not None and (p.start, p.end, p.label) == (start, end, label)


@pytest.mark.parametrize("bad", ["", "2026", "2026-13", "2026-00", "2026-Q5", "1899-01",
                                 "2026-11-01", "Q4 2026", "2026-Q4; drop", "\x00"])
def test_bad_periods_are_none(bad: str) -> None:
    assert parse_period(bad) is None


def test_the_known_cases_give_the_expected_figures() -> None:
    cases = [c for c in known_cases() if c.locality == DEVON]
    q4 = parse_period("2026-Q4")
    assert q4 is not None
    new = [c for c in cases if q4.start_at <= c.created_at < q4.end_at]
    closed = [c for c in cases if c.closed]
    late = {DEVON: 2}
    f = figures(new, closed, late, REF, q4)
    e = DEVON_Q4
    assert f.new_total == e.new and f.new_by_path == list(e.by_path)
    assert f.new_by_type == list(e.by_type)
    assert (f.rapid_reviews, f.converted) == (e.rapid, e.converted)
    assert (f.closed, f.published, f.embargoed) == (e.closed, e.published, e.embargoed)
    assert f.days_to_publication == (155, 197) and f.median_days == e.median_days
    assert f.within_target == e.within
    assert f.past_deadline == list(e.late) and f.themes == list(e.themes)


def test_cases_closed_outside_the_period_are_not_counted() -> None:
    nov = parse_period("2026-11")
    assert nov is not None
    closed = [c for c in known_cases() if c.closed and c.locality in (DEVON, CORNWALL)]
    f = figures([], closed, {}, REF, nov)
    assert (f.closed, f.published, f.embargoed) == (2, 1, 1)  # cases 6 and 7
    assert f.median_days == 155 and f.new_total == 0 and f.new_by_path == []


def test_closed_on_is_the_last_decision_and_none_while_open() -> None:
    by_number = {c.number: c for c in known_cases()}
    assert closed_on(by_number[5]) == date(2026, 10, 15)
    assert closed_on(by_number[1]) is None
    assert by_number[7].state is State.CLOSED_EMBARGOED


@pytest.mark.storage
async def test_the_database_counts_what_the_definition_says(database) -> None:  # type: ignore[no-untyped-def]
    """storage's SQL (`period_rows`) against `rows_of` on the same cases, for every area and
    period the known cases touch."""
    from dataclasses import replace

    from storage.db import create_engine
    from storage.migrate import upgrade
    from storage.uow import uow_factory
    from tracker.permissions import NATIONAL
    from tracker.ports import CaseFilter
    from tracker.statistics import rows_of

    engine = create_engine(database.url, schema=database.schema)
    try:
        await upgrade(engine)
        known = known_cases()
        async with uow_factory(engine)() as uow:
            for case in known:
                await uow.cases.add(case, None)
            await uow.commit()
        for key in ("2026-Q4", "2026-10", "2026-11", "2026-06", "2026-Q2", "2025-Q4"):
            period = parse_period(key)
            assert period is not None
            for locality, region in ((DEVON, ""), (CORNWALL, ""), ("", "south-west"), ("", "")):
                area = CaseFilter(scopes=[NATIONAL], open_only=False, locality=locality,
                                  region=region, limit=1000)
                async with uow_factory(engine)() as uow:
                    got = await uow.cases.period_rows(
                        replace(area, created_from=period.start_at,
                                created_before=period.end_at),
                        replace(area, closed_only=True, closed_from=period.start,
                                closed_before=period.end))
                mine = [c for c in known if (not locality or c.locality == locality)
                        and (not region or c.region == region)]
                new = [c for c in mine if period.start_at <= c.created_at < period.end_at]
                want = rows_of(new, [c for c in mine if c.closed], period)
                assert got.new_by_route_type == want.new_by_route_type, (key, locality, region)
                assert got.new_converted == want.new_converted
                assert sorted(map(sorted, got.new_themes)) == sorted(map(sorted, want.new_themes))
                assert got.closed_by_state == want.closed_by_state
                assert sorted(got.published) == sorted(want.published)
    finally:
        await engine.dispose()

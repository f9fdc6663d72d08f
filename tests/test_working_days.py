"""Working days in England skip weekends and bank holidays, Christmas and New Year included; the
statutory clocks are computed from them and from the timescales data."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tracker.deadlines import WorkingDays, add_months, clocks_for, next_due
from tracker.model import ActionItem, Case, ReviewType, State
from tracker.reference import Reference

WD = WorkingDays()
REF = Reference.load()


@pytest.mark.parametrize(("start", "days", "due"), [
    # Tue 22 Dec 2026 + 5: Wed 23, Thu 24, (Fri 25 Christmas, Sat, Sun, Mon 28 Boxing Day
    # substitute), Tue 29, Wed 30, Thu 31.
    (date(2026, 12, 22), 5, date(2026, 12, 31)),
    # Wed 30 Dec + 3: Thu 31, (Fri 1 Jan New Year's Day, weekend), Mon 4, Tue 5.
    (date(2026, 12, 30), 3, date(2027, 1, 5)),
    # A SIN notified on Christmas Eve: 5 working days runs into January.
    (date(2026, 12, 24), 5, date(2027, 1, 5)),
    # A Rapid Review from Fri 18 Dec 2026: 15 working days lands on 13 Jan 2027.
    (date(2026, 12, 18), 15, date(2027, 1, 13)),
    (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday + 1 = Monday
])
def test_working_days_across_christmas_and_new_year(start: date, days: int, due: date) -> None:
    assert WD.add(start, days) == due
    assert WD.between(start, due) == days


def test_bank_holidays_are_not_working_days() -> None:
    for day in (date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1), date(2026, 12, 26)):
        assert not WD.is_working_day(day)
    assert WD.is_working_day(date(2026, 12, 29))
    assert WD.between(date(2026, 12, 31), date(2026, 12, 22)) == -5


def test_months_clip_to_the_end_of_the_month() -> None:
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 11, 24), 6) == date(2027, 5, 24)


def _case(**fields: object) -> Case:
    base: dict[str, object] = dict(
        number=1, locality="devon", region="south-west", reported_by="Trust", summary="x",
        created_at=datetime(2026, 12, 22, 10, tzinfo=UTC), date_added=date(2026, 12, 22))
    return Case(**{**base, **fields})  # type: ignore[arg-type]


def test_clocks_come_from_the_timescales_data() -> None:
    rr = _case(state=State.RAPID_REVIEW, review_type=ReviewType.RAPID_REVIEW,
               sin_notified_on=date(2026, 12, 18))
    clocks = {c.key: c for c in clocks_for(rr, REF.timescales, WD)}
    assert clocks["sin"].done and clocks["sin"].due == date(2026, 12, 31)
    assert clocks["rapid_review"].due == date(2027, 1, 13)
    cspr = _case(state=State.REVIEW, review_type=ReviewType.CSPR,
                 sin_notified_on=date(2026, 12, 23), review_started_on=date(2027, 1, 6))
    clocks = {c.key: c for c in clocks_for(cspr, REF.timescales, WD)}
    assert set(clocks) == {"sin", "cspr_publication"}
    assert clocks["cspr_publication"].due == date(2027, 7, 6)
    assert clocks["cspr_publication"].describe(date(2027, 7, 8)) == "06 Jul 2027, 2 days overdue"
    assert clocks["cspr_publication"].describe(date(2027, 7, 1)) == "06 Jul 2027, 5 days left"
    # The earliest running clock or open action is what `overdue` queries.
    cspr.actions.append(ActionItem(1, "Audit", None, date(2027, 3, 1)))
    assert next_due(cspr, REF.timescales, WD) == date(2027, 3, 1)
    cspr.actions[0].status = "complete"
    assert next_due(cspr, REF.timescales, WD) == date(2027, 7, 6)


def test_a_closed_case_runs_no_clocks() -> None:
    closed = _case(state=State.CLOSED_PUBLISHED, review_type=ReviewType.CSPR,
                   review_started_on=date(2027, 1, 6), published_on=date(2027, 6, 1))
    assert [(c.key, c.done) for c in clocks_for(closed, REF.timescales, WD)] == [
        ("cspr_publication", True)]  # the SIN clock (never met) no longer shows as overdue
    assert next_due(closed, REF.timescales, WD) is None


def test_a_child_case_on_path1_runs_the_sin_clock_before_the_panel_decides() -> None:
    """The SIN is due 5 working days from the date added, whatever the panel later decides,
    and the clock runs while the case waits for the panel (issue 12)."""
    child = _case(state=State.PANEL, age_group="child", date_added=date(2026, 11, 24))
    [sin] = clocks_for(child, REF.timescales, WD)
    assert (sin.key, sin.due, sin.done) == ("sin", date(2026, 12, 1), False)
    assert next_due(child, REF.timescales, WD) == date(2026, 12, 1)
    adult = _case(state=State.PANEL, age_group="adult", date_added=date(2026, 11, 24))
    assert clocks_for(adult, REF.timescales, WD) == []
    unknown = _case(state=State.PANEL, date_added=date(2026, 11, 24))
    assert clocks_for(unknown, REF.timescales, WD) == []
    # A SIN date recorded meets the clock; the Rapid Review runs 15 working days from it.
    child.sin_notified_on = date(2026, 11, 26)
    assert [c.done for c in clocks_for(child, REF.timescales, WD)] == [True]
    child.state, child.review_type = State.RAPID_REVIEW, ReviewType.RAPID_REVIEW
    clocks = {c.key: c for c in clocks_for(child, REF.timescales, WD)}
    assert clocks["rapid_review"].due == WD.add(date(2026, 11, 26), 15) == date(2026, 12, 17)


def test_an_agreed_investigation_date_replaces_the_default_si_clock() -> None:
    si = _case(state=State.SI, framework="sif_2015", date_added=date(2026, 11, 24))
    default = {c.key: c for c in clocks_for(si, REF.timescales, WD)}["si_investigation"]
    assert default.due == WD.add(date(2026, 11, 24), 60)
    si.investigation_due_on = date(2027, 4, 30)
    agreed = {c.key: c for c in clocks_for(si, REF.timescales, WD)}["si_investigation"]
    assert (agreed.due, agreed.label) == (date(2027, 4, 30), "SI investigation (agreed date)")
    assert [c.key for c in clocks_for(si, REF.timescales, WD)].count("si_investigation") == 1


def test_working_days_back_skip_weekends_and_holidays() -> None:
    assert WD.back(date(2026, 12, 1), 2) == date(2026, 11, 27)  # Tue - 2 = the Friday before
    assert WD.back(date(2027, 1, 5), 3) == date(2026, 12, 30)  # over New Year's Day
    for start, days in ((date(2026, 12, 22), 5), (date(2027, 3, 3), 15)):
        assert WD.back(WD.add(start, days), days) == start

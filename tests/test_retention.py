"""Retention and the audit export on a real database: free text goes after the retention
period, the skeleton and every event stay, and the redaction is itself on record."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storage.tables import case_events, event_texts
from teams_bot.cli.audit import COLUMNS, export_audit
from tests.support.service_world import World, new_case, sent, world
from tracker.audit import REDACTED, split_free_text
from tracker.model import Case, Identifier, IdKind, ReviewType, Route, State
from tracker.ports import NoticeKind
from tracker.retention import FREE_TEXT, SKELETON, add_years, redact, unclassified

__all__ = ["world"]  # the fixture
REASON = "Single-agency learning already in place at the nursery"


def test_every_case_field_is_either_free_text_or_skeleton() -> None:
    assert unclassified() == set(), "classify new Case fields in tracker/retention.py"
    assert not set(FREE_TEXT) & SKELETON


def test_redact_keeps_the_skeleton() -> None:
    from datetime import UTC, date, datetime

    case = Case(number=4, locality="devon", region="south-west",
                created_at=datetime(2020, 1, 2, tzinfo=UTC), reported_by="Trust",
                summary="Something happened", incident_date=date(2020, 1, 1),
                state=State.CLOSED_NFA, route=Route.NFA, close_reason=REASON,
                review_type=ReviewType.SAR, recommendations=["Train staff", "Audit"],
                identifiers=[Identifier(IdKind.STEIS, "2020/1")])
    fields = redact(case)
    assert set(fields) == {"summary", "close_reason", "recommendations"}
    assert case.summary == case.close_reason == REDACTED
    assert case.recommendations == [REDACTED, REDACTED]
    assert case.redacted and case.identifiers == [Identifier(IdKind.STEIS, "2020/1")]
    assert case.review_type is ReviewType.SAR and case.state is State.CLOSED_NFA


def test_free_text_in_events_is_split_from_the_skeleton() -> None:
    data = {"what": "route decided", "detail": REASON, "verb": "route_nfa",
            "changes": {"close_reason": {"old": "", "new": REASON},
                        "route": {"old": None, "new": "nfa"}}}
    kept, texts = split_free_text(data)
    assert REASON not in str(kept) and set(texts) == {"detail", "changes.close_reason.new"}
    assert kept["changes"]["route"] == {"old": None, "new": "nfa"}


def test_add_years_handles_29_february() -> None:
    from datetime import date
    assert add_years(date(2024, 2, 29), 8) == date(2032, 2, 29)
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


async def close_nfa(w: World) -> int:
    case = await new_case(w)
    lead = w.who("Lena Lead")
    await w.service.triage(lead, case.number, None, "case_review")
    await w.service.decide_route(lead, case.number, None, Route.NFA, reason=REASON)
    return case.number


async def count(w: World, table) -> int:  # type: ignore[no-untyped-def]
    async with w.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


@pytest.mark.storage
async def test_retention_redacts_after_the_period_and_keeps_every_event(world: World) -> None:
    w = world
    number = await close_nfa(w)
    open_case = await new_case(w)
    today = w.clock.now().date()
    assert await w.service.retention_due(today) == []
    assert await w.service.retention_due(add_years(today, 8) - timedelta(days=1)) == []

    later = add_years(today, 8)
    due = await w.service.retention_due(later)
    assert [(d.number, d.review_type, d.years, d.due_on) for d in due] == \
        [(number, "default", 8, later)]
    events_before = await count(w, case_events)
    assert await w.service.apply_retention(later) == due

    case = await w.service.peek(number)
    assert case.redacted and case.summary == REDACTED and case.close_reason == REDACTED
    assert all(d.detail in ("", REDACTED) for d in case.decisions)
    assert case.state is State.CLOSED_NFA and case.locality == "devon"
    assert (await w.service.peek(open_case.number)).summary == "Serious incident."
    # Every event is still there, plus one for the redaction; their free text is gone.
    assert await count(w, case_events) == events_before + 1
    async with w.engine.connect() as conn:
        left = (await conn.execute(select(func.count()).select_from(event_texts)
                                   .where(event_texts.c.case_number == number))).scalar_one()
    assert left == 0
    page = await w.service.case_history(w.who("Lena Lead"), number)
    assert page.entries[0].what == "free text removed under the retention policy"
    assert REASON not in str(page.entries) and REDACTED in str(page.entries)
    assert NoticeKind.CARD_UPDATE in [n.kind for n in await sent(w) if n.case_number == number]
    # A second run finds nothing more to do.
    assert await w.service.retention_due(add_years(later, 30)) == []


@pytest.mark.storage
async def test_audit_export_writes_every_event_as_csv_and_records_itself(world: World) -> None:
    w = world
    number = await close_nfa(w)
    other = await new_case(w)
    out = io.StringIO()
    rows = await export_audit(w.engine, out, case=number)
    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(table[0]) == COLUMNS and len(table) == rows >= 3
    assert {r["case_number"] for r in table} == {str(number)}
    assert [r["kind"] for r in table][:2] == ["case_logged", "triaged"]
    routed = next(r for r in table if r["kind"] == "route_decided")
    assert REASON in routed["detail"] and "closed_nfa" in routed["changes"]
    assert routed["actor_name"] == "Lena Lead" and routed["at_utc"].endswith("+00:00")

    since = (w.clock.now() + timedelta(days=1)).replace(hour=0, minute=0)
    out = io.StringIO()
    await export_audit(w.engine, out, since=since)  # only exports happened since (real time)
    assert {r["kind"] for r in csv.DictReader(io.StringIO(out.getvalue()))} <= {"audit_exported"}
    out = io.StringIO()
    everything = await export_audit(w.engine, out)
    kinds = [r["kind"] for r in csv.DictReader(io.StringIO(out.getvalue()))]
    assert "audit_exported" in kinds and everything == len(kinds) > rows
    assert str(other.number) in out.getvalue()

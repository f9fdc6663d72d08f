"""Sample Path 1 cards (made-up cases, fictional people), for `cards.samples` and the tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from tracker.deadlines import WorkingDays
from tracker.model import (
    ActionItem,
    Briefing,
    Case,
    Decision,
    Discussion,
    Dissemination,
    Identifier,
    IdKind,
    Note,
    PersonRef,
    ReviewType,
    Route,
    State,
)
from tracker.reference import Reference
from tracker.views import CaseView, case_view

from .agenda import agenda_card, overdue_card
from .case_card import case_card, case_snapshot
from .reminder import reminder_card

TODAY = date(2026, 11, 27)
CHAIR = PersonRef(aad_id="00000000-0000-0000-0000-0000000000c3", name="Jo Patel")
DESIGNATED = PersonRef(aad_id="00000000-0000-0000-0000-0000000000b2", name="Sam Taylor")


def _at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 11, 30, tzinfo=UTC)


def _case(number: int, **fields: Any) -> Case:
    base: dict[str, Any] = dict(
        locality="devon", region="south-west", created_at=_at(6, 2), route=Route.PATH1,
        reported_by="Riverside Community Health NHS Trust", investigation_level="case_review",
        summary="Serious injury to a child known to several agencies.",
        incident_date=date(2026, 5, 28), date_added=date(2026, 6, 2),
        identifiers=[Identifier(IdKind.STEIS, "2026/0612")], designated_professional=DESIGNATED,
        decisions=[Decision("route", DESIGNATED.name, DESIGNATED.aad_id, _at(6, 3),
                            "Path 1 (case review)")],
    )
    return Case(number=number, **{**base, **fields})


def path1_cases() -> dict[str, Case]:
    return {
        "case_rapid_review": _case(21, state=State.RAPID_REVIEW, version=4,
                                   review_type=ReviewType.RAPID_REVIEW, date_added=TODAY,
                                   created_at=_at(11, 27), panel_date=TODAY,
                                   sin_notified_on=TODAY),
        "case_review_full": _case(
            22, state=State.REVIEW, version=17, review_type=ReviewType.DHR, stage="analysis",
            panel_date=date(2026, 5, 11), review_started_on=date(2026, 5, 11),
            partnership_board="Devon Community Safety Partnership",
            themes=["domestic", "psychological"],
            identifiers=[Identifier(IdKind.STEIS, "2026/0612"),
                         Identifier(IdKind.HOME_OFFICE_DHR, "HO-DHR-2026-044")],
            recommendations=["Routine enquiry about domestic abuse in maternity contacts.",
                             "Share risk assessments between GP and health visiting."],
            learning_themes=["Professional curiosity", "Information sharing"],
            actions=[ActionItem(1, "Audit routine enquiry in maternity", DESIGNATED,
                                date(2026, 11, 1)),
                     ActionItem(2, "Update the information-sharing protocol", CHAIR,
                                date(2027, 1, 31), "in_progress")],
            learning=[Dissemination("seven_minute_briefing", date(2026, 11, 3),
                                    "GP practices in the ICB", CHAIR.name)],
            comments=[Note("Draft report with the chair.", CHAIR.name, _at(11, 2))],
            discussions=[Discussion(date(2026, 11, 18), CHAIR.name, "Chair to share draft.")],
            briefing=Briefing(date(2026, 11, 25), CHAIR.name, media_likely=True),
            media_interest=True),
        "case_closed_embargoed": _case(
            23, state=State.CLOSED_EMBARGOED, version=20, review_type=ReviewType.SAR,
            stage="pre_publication", review_started_on=date(2026, 6, 20),
            signed_off_on=date(2026, 11, 2), embargo_until=date(2027, 3, 1),
            embargo_reason="Criminal proceedings are ongoing."),
        "case_closed_not_published": _case(
            24, state=State.CLOSED_NOT_PUBLISHED, version=15, review_type=ReviewType.CSPR,
            age_group="child", stage="sign_off", review_started_on=date(2026, 6, 20),
            signed_off_on=date(2026, 11, 20), close_outcome="not_for_publication",
            close_reason="Signed off by the partnership; not to be published."),
    }


def path1_views(ref: Reference) -> dict[str, CaseView]:
    wd = WorkingDays()
    return {name: case_view(case, ref, TODAY, wd) for name, case in path1_cases().items()}


def path1_samples(ref: Reference | None = None) -> dict[str, dict[str, Any]]:
    """Every Path 1 card, by name."""
    ref = ref or Reference.load()
    views = path1_views(ref)
    out = {name: case_card(view) for name, view in views.items()}
    full = views["case_review_full"]
    agenda = [v for v in views.values() if not v.case.closed]
    out |= {
        "agenda": agenda_card(agenda, "NHS Devon ICB", "devon"),
        "agenda_empty": agenda_card([]),
        "overdue_list": overdue_card([full]),
        "reminder_clock": reminder_card(full, "clock:dhr_completion"),
        "reminder_action": reminder_card(full, "action:1"),
        "reminder_soon": reminder_card(views["case_rapid_review"], "soon:clock:rapid_review"),
        "reminder_embargo": reminder_card(_embargo_ended(ref), "embargo"),
        "case_snapshot": case_snapshot(full, datetime(2026, 11, 27, 11, 5, tzinfo=UTC)),
        "case_panel_child": case_card(case_view(_child_awaiting_panel(), ref, TODAY,
                                                WorkingDays())),
    }
    return out


def _embargo_ended(ref: Reference) -> CaseView:
    case = path1_cases()["case_closed_embargoed"]
    case.embargo_until = date(2026, 11, 20)
    return case_view(case, ref, TODAY, WorkingDays())


def _child_awaiting_panel() -> Case:
    """A child's case just sent to Path 1: the SIN clock already runs."""
    return _case(25, state=State.PANEL, version=3, age_group="child", date_added=TODAY,
                 created_at=_at(11, 27), designated_professional=None)

"""Sample Path 2 and escalation cards (made-up cases, fictional people), for `cards.samples`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from tracker.deadlines import WorkingDays
from tracker.model import (
    Case,
    Decision,
    Dissemination,
    Escalation,
    Identifier,
    IdKind,
    Recipient,
    Route,
    State,
)
from tracker.reference import Reference
from tracker.views import case_view

from .case_card import case_card
from .escalation import ack_card, escalation_card

TODAY = date(2026, 11, 27)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def _person(n: int, role: str, name: str, acked: datetime | None = None) -> Recipient:
    return Recipient(role=role, aad_id=f"00000000-0000-0000-0000-0000000002{n:02d}",
                     teams_id=f"29:1sample-{n:02d}", name=name, acknowledged_at=acked)


DIRECTORS = [
    _person(1, "director_commissioning_ops", "Priya Shah", _at(26, 10, 14)),
    _person(2, "director_nursing", "Tom Evans"),
    _person(3, "medical_director", "Grace Okafor"),
    _person(4, "locality_director", "Ben Carter"),
]


def sample_escalations() -> dict[str, Escalation]:
    media = Escalation(number=1, kind="media", reason="Possible media interest: local paper "
                       "asked the trust for comment", raised_by="Alex Morgan",
                       raised_at=_at(26, 10, 2),
                       recipients=[*DIRECTORS, _person(5, "specialist_comms_lead", "Ria Das")],
                       chased=1)
    gap = Escalation(number=2, kind="media", reason="Media attention confirmed",
                     raised_by="Alex Morgan", raised_at=_at(26, 11, 0),
                     recipients=[_person(2, "director_nursing", "Tom Evans"),
                                 _person(6, "regional_safeguarding_lead", "Mo Begum")],
                     missing_roles=["medical_director", "comms_lead"], chased=1,
                     escalated_regional=True)
    done = Escalation(number=3, kind="regional", reason="Two ICBs involved; regional "
                      "oversight requested", raised_by="Alex Morgan", raised_at=_at(26, 12),
                      recipients=[_person(6, "regional_safeguarding_lead", "Mo Begum",
                                          _at(26, 12, 20))])
    return {"media": media, "gap": gap, "done": done}


def sample_path2_case() -> Case:
    esc = sample_escalations()
    return Case(
        number=18, locality="devon", region="south-west", created_at=_at(24, 9),
        reported_by="Riverside Community Health NHS Trust", date_added=date(2026, 11, 24),
        incident_date=date(2026, 11, 22), state=State.SI, version=9, route=Route.PATH2,
        investigation_level="psii", framework="sif_2015", response_type="si_investigation",
        report_72h_on=date(2026, 11, 26), investigation_due_on=date(2027, 2, 19),
        media_interest=True, media_confirmed=True, specialist_commissioned=True,
        identifiers=[Identifier(IdKind.STEIS, "2026/1402")],
        summary="Serious harm to an inpatient with safeguarding concerns about their care.",
        decisions=[Decision("route", "Alex Morgan", "00000000-0000-0000-0000-0000000000a1",
                            _at(24, 11), "Path 2 (SI framework / PSIRF)")],
        escalations=[esc["media"], esc["gap"], esc["done"]],
        learning=[Dissemination("seven_minute_briefing", date(2026, 11, 26),
                                "ICB safeguarding leads", "Mo Begum", "regional")])


def path2_samples(ref: Reference) -> dict[str, dict[str, Any]]:
    case = sample_path2_case()
    esc = sample_escalations()
    closed = Case(**{**case.__dict__, "number": 19, "state": State.CLOSED_SI, "version": 14,
                     "close_reason": "SI investigation report accepted.",
                     "close_outcome": "completed"})
    wd = WorkingDays()
    return {
        "case_path2_escalated": case_card(case_view(case, ref, TODAY, wd)),
        "case_closed_si": case_card(case_view(closed, ref, TODAY, wd)),
        "escalation_media": escalation_card(case, esc["media"], ref),
        "escalation_gap": escalation_card(case, esc["gap"], ref),
        "escalation_acknowledged": escalation_card(case, esc["done"], ref),
        "ack_waiting": ack_card(case, esc["media"], esc["media"].recipients[1], ref),
        "ack_done": ack_card(case, esc["media"], esc["media"].recipients[0], ref),
    }

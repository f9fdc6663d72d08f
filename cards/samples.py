"""Every card the package makes, filled with made-up cases (fictional names, no real people).

Run `python -m cards.samples --out DIR` to write one `<name>.json` per card.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tracker.deadlines import WorkingDays
from tracker.model import (
    Case,
    Decision,
    Identifier,
    IdKind,
    PersonRef,
    ReviewType,
    Route,
    State,
)
from tracker.reference import Reference
from tracker.views import CaseView, case_view

from .banner import with_banner
from .case_card import case_card
from .intake_card import intake_card
from .lists import case_list_card
from .notice import notice_card
from .path1_samples import path1_samples
from .path2_samples import path2_samples
from .security_samples import security_samples

TODAY = date(2026, 11, 27)
LEAD = PersonRef(aad_id="00000000-0000-0000-0000-0000000000a1", name="Alex Morgan")
DESIGNATED = PersonRef(aad_id="00000000-0000-0000-0000-0000000000b2", name="Sam Taylor")


def _at(month: int, day: int, hour: int = 10, minute: int = 4, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _decision(what: str, detail: str, at: datetime, who: PersonRef = LEAD) -> Decision:
    return Decision(what=what, by=who.name, by_aad=who.aad_id, at=at, detail=detail)


def _case(number: int, **fields: Any) -> Case:
    base: dict[str, Any] = dict(
        locality="devon", region="south-west", created_at=_at(11, 25, 9, 30),
        reported_by="Riverside Community Health NHS Trust",
        summary="Adult with care and support needs found with unexplained injuries at a "
                "residential care home. Police and adult social care informed.",
        incident_date=date(2026, 11, 23), date_added=date(2026, 11, 25),
        identifiers=[Identifier(IdKind.STEIS, "2026/1234")],
    )
    return Case(number=number, **{**base, **fields})


def sample_cases() -> dict[str, Case]:
    triaged = [_decision("triage", "Statutory case review to be considered", _at(11, 26, 14, 12))]
    path1 = [*triaged, _decision("route", "Path 1 (case review)", _at(11, 26, 15, 40))]
    return {
        "case_new": _case(12),
        "case_not_on_steis": _case(
            13, locality="kent-and-medway", region="south-east",
            reported_by="Harbour Lane Medical Practice", media_interest=True,
            identifiers=[Identifier(IdKind.LOCAL, "KM-SG-0031")],
            summary="Concern raised by a GP practice about repeated missed contacts with a "
                    "family already known to children's social care.",
        ),
        "case_triaged": _case(14, state=State.TRIAGED, version=2, decisions=triaged,
                              investigation_level="case_review",
                              strategy_meeting_on=date(2026, 12, 2)),
        "case_path1_panel": _case(15, state=State.PANEL, version=3, decisions=path1,
                                  investigation_level="case_review", route=Route.PATH1,
                                  panel_date=date(2026, 12, 9), specialist_commissioned=True),
        "case_review": _case(
            9, state=State.REVIEW, version=11, route=Route.PATH1,
            investigation_level="case_review", review_type=ReviewType.CSPR, converted=True,
            date_added=date(2026, 4, 14), incident_date=date(2026, 4, 10),
            created_at=_at(4, 14), review_started_on=date(2026, 5, 11), stage="information",
            designated_professional=DESIGNATED,
            partnership_board="Devon Safeguarding Children Partnership",
            sin_notified_on=date(2026, 4, 17), media_interest=True, media_confirmed=True,
            identifiers=[Identifier(IdKind.STEIS, "2026/0456"),
                         Identifier(IdKind.SIN, "SIN-2026-0789")],
            summary="Serious injury to an infant. Rapid Review held; the panel agreed a local "
                    "child safeguarding practice review.",
            decisions=[
                _decision("route", "Path 1 (case review)", _at(4, 15, 9, 12)),
                _decision("panel", "Rapid Review", _at(4, 16, 11, 0), DESIGNATED),
                _decision("panel", "CSPR, converted from Rapid Review", _at(5, 11, 16, 30),
                          DESIGNATED),
            ],
        ),
        "case_path2": _case(
            16, state=State.SI, version=4, route=Route.PATH2, framework="sif_2015",
            investigation_level="psii", date_added=date(2026, 11, 20),
            incident_date=date(2026, 11, 18), created_at=_at(11, 20),
            identifiers=[Identifier(IdKind.LFPSE, "LFPSE-88213")],
            summary="Medication error on a mental health ward with safeguarding concerns "
                    "about a patient's care.",
            decisions=[_decision("route", "Path 2 (SI framework / PSIRF)", _at(11, 20, 12, 5))],
        ),
        "case_closed_published": _case(
            4, state=State.CLOSED_PUBLISHED, version=23, route=Route.PATH1,
            investigation_level="case_review", review_type=ReviewType.SAR,
            date_added=date(2025, 9, 1), incident_date=date(2025, 8, 20),
            created_at=_at(9, 1, year=2025), review_started_on=date(2025, 10, 6),
            stage="pre_publication",
            designated_professional=DESIGNATED, signed_off_on=date(2026, 3, 30),
            published_on=date(2026, 6, 15),
            report_url="https://example.org/safeguarding/sar-adult-b",
            partnership_board="Devon Safeguarding Adults Partnership",
            identifiers=[Identifier(IdKind.STEIS, "2025/0917")],
            summary="Safeguarding adults review following the death of an adult with "
                    "self-neglect. Report published.",
            decisions=[_decision("closed", "Published", _at(6, 15, 9, 0))],
        ),
        "case_closed_nfa": _case(
            17, state=State.CLOSED_NFA, version=3, route=Route.NFA, investigation_level="none",
            close_reason="Single-agency learning already in place; no multi-agency concerns.",
            decisions=[_decision("route", "No further action: single-agency learning already "
                                 "in place", _at(11, 26, 16, 20))],
        ),
    }


def sample_views(ref: Reference | None = None) -> dict[str, CaseView]:
    ref = ref or Reference.load()
    wd = WorkingDays()
    return {name: case_view(case, ref, TODAY, wd) for name, case in sample_cases().items()}


def sample_cards() -> dict[str, dict[str, Any]]:
    """Every kind of card, by name."""
    ref = Reference.load()
    views = sample_views(ref)
    out = {name: case_card(view) for name, view in views.items()}
    typed = {"steis_number": "2026/1301", "reported_by": "Riverside Community Health NHS Trust",
             "incident_date": "2026-12-03", "media_interest": "true",
             "local_reference": "RCH-SAFEGUARDING-2026-11-ward-7-falls-review-0001",
             "summary": "Resident fell twice in one night; bruising found the next morning."}
    problems = {"incident_date": "The date of the incident can't be in the future.",
                "locality": "Required.",
                "local_reference": "Keep this under 40 characters."}
    open_views = [v for v in views.values() if not v.case.closed]
    out |= {
        "intake_form": intake_card(ref),
        "intake_form_errors": intake_card(ref, typed, problems),
        "case_list": case_list_card(open_views, total=len(open_views) + 3),
        "case_list_empty": case_list_card([], total=0, title="Overdue cases"),
        "notice_error": notice_card(
            "Case 12 was not changed",
            "Someone else updated this case a moment ago. Here is the latest version.",
            [("Case", "12"), ("Version", "3")], tone="attention"),
        "notice_done": notice_card("Case 14 sent to Path 1", "The panel has been told.",
                                   tone="good"),
        # the card shown to whoever pressed a button, with the answer on top
        "answer_done": with_banner(out["case_triaged"], "Triage recorded.", "ok"),
        "answer_refused": with_banner(out["case_new"], "Only people who hold a safeguarding "
                                      "role can triage cases.", "error"),
    }
    out |= security_samples()
    out |= path1_samples(ref)
    out |= path2_samples(ref)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write every sample card as JSON.")
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, body in sample_cards().items():
        path = args.out / f"{name}.json"
        path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(path)


if __name__ == "__main__":
    main()

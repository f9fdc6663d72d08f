"""Samples of the security cards (history, the patient-data check), for cards/samples.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tracker.audit import Change, Entry

from .confirm import CONFIRM_COMMAND, confirm_card
from .history import history_card


def _at(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def security_samples() -> dict[str, Any]:
    entries = [
        Entry(_at(27, 9, 15), "Nora Norole", "refused: tried to close cases",
              detail="Only people who hold a safeguarding role can close cases.", refused=True),
        Entry(_at(26, 15, 40), "Alex Morgan", "route decided",
              (Change("route", "(none)", "path1"),
               Change("state", "triaged, awaiting route decision",
                      "Path 1 (case review), awaiting panel decision"))),
        Entry(_at(26, 14, 12), "Alex Morgan", "triaged",
              (Change("investigation level", "(none)", "case_review"),)),
        Entry(_at(25, 9, 30), "Safeguarding Tracker", "case logged",
              (Change("locality", "(none)", "devon"),
               Change("identifiers", "(none)", "steis:2026/1234"))),
    ]
    problems = {"note": "The note looks like it contains a date of birth. Please remove "
                        "patient-identifiable details, or confirm that it is not about a patient."}
    return {
        "history": history_card(12, entries, page=1, pages=2, total=14),
        "patient_data_check": confirm_card(problems, CONFIRM_COMMAND, command="note case 12 …",
                                           mentions=[], confirm_by="00000000-0000-0000-0000-0"),
    }

"""Samples of the security cards (history, the patient-data check), for cards/samples.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tracker.audit import entry
from tracker.ports import EventRecord
from tracker.reference import Reference

from .confirm import CONFIRM_COMMAND, confirm_card
from .history import history_card


def _at(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def security_samples() -> dict[str, Any]:
    def event(at: datetime, who: str, kind: str, data: dict[str, Any]) -> EventRecord:
        return EventRecord(12, kind, "29:x", "aad-x", who, at, data)

    def changed(**pairs: tuple[Any, Any]) -> dict[str, Any]:
        return {k: {"old": old, "new": new} for k, (old, new) in pairs.items()}

    ref = Reference.load()  # drawn through tracker.audit.entry, as `history` draws them
    entries = [entry(e, ref) for e in (
        event(_at(27, 9, 15), "Nora Norole", "permission_denied",
              {"action": "close", "reason": "Only people who hold a safeguarding role can close "
                                            "cases."}),
        event(_at(26, 15, 40), "Alex Morgan", "route_decided", {"what": "route decided",
              "changes": changed(route=(None, "path2"), state=("triaged", "si"))}),
        event(_at(26, 14, 12), "Alex Morgan", "triaged", {"what": "triaged", "changes": changed(
            investigation_level=("", "psii"), strategy_meeting_on=(None, "2026-11-27"))}),
        event(_at(26, 11, 2), "Alex Morgan", "escalated", {"what": "escalated", "changes": {
            "escalations": {"old": None, "new": "1 media: Dee Jones "
                                                "(director_commissioning_ops)"}}}),
        event(_at(25, 9, 30), "Safeguarding Tracker", "case_logged", {"what": "case logged",
              "changes": changed(locality=(None, "south-yorkshire"),
                                 identifiers=(None, ["steis:2026/12346"]))}),
    )]
    problems = {"note": "The note looks like it contains a date of birth. Please remove "
                        "patient-identifiable details, or confirm that it is not about a patient."}
    return {
        "history": history_card(12, entries, page=1, pages=2, total=14),
        "patient_data_check": confirm_card(problems, CONFIRM_COMMAND, command="note case 12 …",
                                           mentions=[], confirm_by="00000000-0000-0000-0000-0"),
    }

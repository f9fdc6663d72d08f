"""Card action verbs and the data every card action carries.

Every Action.Execute carries `{"verb", "case", "version", ...}` in `data`, and its fallback
Action.Submit carries the same data, so the bot handles both the same way.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class CardVerb(StrEnum):
    TRIAGE = "triage"
    ROUTE_PATH1 = "route_path1"
    ROUTE_PATH2 = "route_path2"
    ROUTE_NFA = "route_nfa"
    INTAKE_SUBMIT = "intake_submit"
    REFRESH = "refresh"
    SHOW_CASE = "show_case"  # data: case, version; the bot posts the case card
    # Path 2 and escalations (cards/escalation.py, cards/path2.py)
    ACK = "ack"  # data: case, esc, and `who` on the 1:1 card (its addressee's AAD id)
    FLAG_MEDIA = "flag_media"
    ESCALATE = "escalate"
    PATH2_RECORD = "path2_record"
    RECORD_LEARNING = "record_learning"
    HISTORY_PAGE = "history_page"  # data: case, page
    CONFIRM_COMMAND = "confirm_command"  # data: command, mentions, confirm_by (Save anyway)
    CONFIRM_CANCEL = "confirm_cancel"
    # Path 1 (cards/path1*.py, cards/agenda.py, cards/reminder.py)
    PANEL_DECISION = "panel_decision"
    EDIT_RECORD = "edit_record"
    ADD_ACTION = "add_action"
    ACTION_STATUS = "action_status"
    ADD_NOTES = "add_notes"
    BRIEFING = "briefing"
    CLOSE_CASE = "close_case"
    MOVE_TO_PATH1 = "move_to_path1"  # a Path 2 case whose case review is agreed later
    DISCUSSED = "discussed"  # data: case, locality (the agenda to redraw)
    SNOOZE = "snooze_reminder"  # data: case, kind (the reminder's ledger kind)


def action_data(verb: str, case: int | None = None, version: int | None = None,
                **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"verb": str(verb)}
    if case is not None:
        data["case"] = case
    if version is not None:
        data["version"] = version
    data.update(extra)
    return data

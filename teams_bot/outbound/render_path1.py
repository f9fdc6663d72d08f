"""Outbox cards for Path 1, drawn from the case as it is at delivery time."""

from __future__ import annotations

from typing import Any

from cards.reminder import reminder_card
from teams_bot.services import Services
from tracker.model import Case
from tracker.ports import Notice
from tracker.views import case_view


def reminder(services: Services, case: Case, notice: Notice, kind: str) -> dict[str, Any]:
    """`reminder:<ledger kind>`, e.g. "reminder:clock:cspr_publication"."""
    view = case_view(case, services.ref, services.today(), services.service.wd)
    return reminder_card(view, kind)


RENDERERS = {"reminder": reminder}

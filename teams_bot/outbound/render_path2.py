"""Renderers for the escalation cards, drawn from the case as it is at delivery time."""

from __future__ import annotations

from typing import Any

from cards.escalation import ack_card, escalation_card
from teams_bot.services import Services
from tracker.escalation import find
from tracker.model import Case
from tracker.ports import Notice


def _number(arg: str) -> int:
    if not arg.isdigit():
        raise LookupError(f"escalation card without a number: {arg!r}")
    return int(arg)


def escalation(services: Services, case: Case, notice: Notice, arg: str) -> dict[str, Any]:
    """`escalation:<n>`: the thread card; it is re-rendered in place as people acknowledge."""
    return escalation_card(case, find(case, _number(arg)), services.ref)


def ack(services: Services, case: Case, notice: Notice, arg: str) -> dict[str, Any]:
    """`ack:<n>`: the 1:1 card of the person the notice goes to."""
    esc = find(case, _number(arg))
    who = notice.to.aad_id if notice.to else ""
    row = next((r for r in esc.recipients if r.aad_id == who), None)
    if row is None:
        raise LookupError(f"escalation {esc.number} on case {case.number} has no row for them")
    return ack_card(case, esc, row, services.ref)


RENDERERS = {"escalation": escalation, "ack": ack}

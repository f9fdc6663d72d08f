"""A short answer card: a confirmation, a refusal or an error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from microsoft_teams.cards import CardElement

from . import components as ui

TONES: dict[str, ui.Color] = {
    "good": "Good",
    "warning": "Warning",
    "attention": "Attention",
    "error": "Attention",
}


def notice_card(title: str, text: str, facts: Sequence[tuple[str, str]] = (),
                tone: str = "default") -> dict[str, Any]:
    """Title (coloured for tone "good", "warning", "attention" or "error"), text, facts."""
    head = ui.heading(title, "Medium")
    head.color = TONES.get(tone)
    body: list[CardElement] = [head]
    if text:
        body.append(ui.line(text))
    fact_set = ui.facts(facts)
    if fact_set:
        body.append(fact_set)
    return ui.card(body, fallback_text=f"{title}: {text}" if text else title)

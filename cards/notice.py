"""A short answer card: a confirmation, a refusal or an error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from microsoft_teams.cards import CardElement, Container

from . import components as ui

# The title sits on a tinted strip for these tones (coloured text is too faint in some themes).
TONES: dict[str, ui.Flag] = {
    "good": "good",
    "warning": "warning",
    "attention": "attention",
    "error": "attention",
}


def notice_card(title: str, text: str, facts: Sequence[tuple[str, str]] = (),
                tone: str = "default") -> dict[str, Any]:
    """Title (on a tinted strip for tone "good", "warning", "attention" or "error"), text, facts."""
    head = ui.heading(title, "Medium")
    style = TONES.get(tone)
    body: list[CardElement] = [Container(items=[head], style=style, bleed=True) if style else head]
    if text:
        body.append(ui.line(text))
    fact_set = ui.facts(facts)
    if fact_set:
        body.append(fact_set)
    return ui.card(body, fallback_text=f"{title}: {text}" if text else title)

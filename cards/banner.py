"""Put a short message at the top of a card (the answer to a click, shown to the clicker)."""

from __future__ import annotations

from typing import Any

# The tone is the strip's tint; the text keeps the theme's colour, readable in every Teams theme.
_STYLES = {"error": "attention", "ok": "good", "info": "emphasis", "warning": "warning"}


def with_banner(card: dict[str, Any], text: str, tone: str = "info") -> dict[str, Any]:
    """A new card: `card`'s elements (shared, not copied: neither card is changed after) under
    the banner."""
    out = dict(card)
    block = {"type": "TextBlock", "text": text, "wrap": True, "weight": "Bolder"}
    container = {"type": "Container", "style": _STYLES.get(tone, "emphasis"), "items": [block]}
    out["body"] = [container, *card.get("body", [])]
    return out

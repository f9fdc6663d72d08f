"""Put a short message at the top of a card (the answer to a click, shown to the clicker)."""

from __future__ import annotations

import copy
from typing import Any

_COLOURS = {"error": "Attention", "ok": "Good", "info": "Default", "warning": "Warning"}


def with_banner(card: dict[str, Any], text: str, tone: str = "info") -> dict[str, Any]:
    out = copy.deepcopy(card)
    block = {"type": "TextBlock", "text": text, "wrap": True, "weight": "Bolder",
             "color": _COLOURS.get(tone, "Default")}
    container = {"type": "Container", "style": "emphasis", "items": [block]}
    out["body"] = [container, *out.get("body", [])]
    return out

"""Small helpers for text people read."""

from __future__ import annotations

from typing import Any


def short(text: Any, limit: int = 300) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with … when cut. A word
    longer than the limit (a pasted link) is left out whole, never cut mid-way."""
    text = str(text or "")
    if len(text) > limit:
        text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > 0 else "").rstrip(" ,;:") + "…"

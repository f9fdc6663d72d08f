"""Text that is not text: refused at the edge, before any handler or database sees it.

A lone surrogate (`\\ud800`) can't be stored as UTF-8, and PostgreSQL refuses NUL in text; other
control characters have no business in a message or a form. JSON may carry all of them as
escapes, so every string (and every key) of a request body is checked, without recursion.
"""

from __future__ import annotations

import re
from typing import Any

_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


USER_CONTENT = frozenset({"text", "value", "attachments", "entities"})  # what people typed
NOT_TEXT = ("That holds characters that are not text (control characters or a broken "
            "character), so I can't store it. Please type it again; nothing was changed.")


def may_hold_bad_text(raw: bytes) -> bool:
    """False when a JSON body cannot hold what `bad_text` refuses, so the walk is skipped. JSON
    forbids control characters raw inside strings (the parser refuses them), and valid UTF-8
    cannot carry a lone surrogate: they arrive only as escapes (\\u..., \\b, \\f), and DEL
    raw. A NUL byte means UTF-16 or UTF-32 (which the parser also reads), where those escapes
    are spelled with other bytes: walked. Teams sends UTF-8 without escapes."""
    return b"\\u" in raw or b"\\b" in raw or b"\\f" in raw or b"\x7f" in raw or b"\x00" in raw


def bad_text(body: Any, skip: frozenset[str] = frozenset()) -> str | None:
    """Where the first string holding a control character or a lone surrogate is, or None.
    Top-level keys in `skip` are left to the caller (the bot answers those in the chat)."""
    if isinstance(body, dict) and skip:
        body = {k: v for k, v in body.items() if k not in skip}
    stack: list[tuple[str, Any]] = [("body", body)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if _BAD.search(value):
                return where
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str) and _BAD.search(k):
                    return where
                stack.append((f"{where}.{str(k)[:40]}" if where != "body" else str(k)[:40], v))
        elif isinstance(value, list):
            stack.extend((where, v) for v in value)
    return None


def plain_where(where: str) -> str:
    """A field path for a message, with nothing but letters, digits, dots and underscores."""
    return re.sub(r"[^A-Za-z0-9_.]", "", where)[:80] or "body"

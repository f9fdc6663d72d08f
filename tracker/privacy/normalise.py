"""Text as the detector reads it: percent-decoded, look-alike characters folded, invisible
characters turned into spaces. Each character of the result maps back to a span of the
original, so that findings can be masked where they really are."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


@dataclass(frozen=True)
class Normalised:
    text: str
    starts: tuple[int, ...]  # for each character of `text`, where it starts in the original
    ends: tuple[int, ...]  # ... and where it ends

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text behind text[start:end]."""
        if start >= end:
            return self.starts[start] if start < len(self.starts) else self.ends[-1], \
                self.ends[start - 1] if start else 0
        return self.starts[start], self.ends[end - 1]


@cache
def _fold(ch: str) -> str:
    """One character for one: full-width digits and letters to ASCII, dashes to '-', invisible
    and unusual spaces to ' '."""
    if ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d":
        return "-"
    category = unicodedata.category(ch)
    if category in ("Cf", "Zs", "Zl", "Zp", "Cc") and ch not in "\n\t":
        return " "
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


def normalise(text: str) -> Normalised:
    if text.isascii() and "%" not in text and "+" not in text and text.isprintable():
        every = tuple(range(len(text) + 1))
        return Normalised(text, every[:-1], every[1:])
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for m in _PERCENT_RUN.finditer(text):
        _plain(text, position, m.start(), chars, starts, ends)
        _decoded(m, chars, starts, ends)
        position = m.end()
    _plain(text, position, len(text), chars, starts, ends)
    return Normalised("".join(chars), tuple(starts), tuple(ends))


def _plain(text: str, start: int, end: int, chars: list[str], starts: list[int],
           ends: list[int]) -> None:
    for i in range(start, end):
        ch = text[i]
        chars.append(" " if ch == "+" and _in_query(text, i) else _fold(ch))
        starts.append(i)
        ends.append(i + 1)


def _in_query(text: str, i: int) -> bool:
    """A '+' inside a URL's query stands for a space."""
    head = text[max(0, i - 200):i]
    return "?" in head and not any(c.isspace() for c in head[head.rfind("?"):])


def _decoded(m: re.Match[str], chars: list[str], starts: list[int], ends: list[int]) -> None:
    """Decode a run of %XX escapes as UTF-8; each decoded character maps to the escapes that
    made it (an undecodable byte stays as it was)."""
    raw = bytes(int(m.group(0)[i + 1:i + 3], 16) for i in range(0, len(m.group(0)), 3))
    at, i = m.start(), 0
    while i < len(raw):
        for size in (1, 2, 3, 4):
            try:
                ch = raw[i:i + size].decode("utf-8")
            except UnicodeDecodeError:
                continue
            break
        else:
            ch, size = "%", 1
        chars.append(_fold(ch) if len(ch) == 1 else ch[0])
        starts.append(at + 3 * i)
        ends.append(at + 3 * (i + size))
        i += size

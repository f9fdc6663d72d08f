"""The README and the docs only point at files that exist (card pictures, other docs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")
IMG = re.compile(r'<img\s[^>]*\bsrc="([^"#]+)"')  # pictures shown at a set width


def local_links(doc: Path) -> list[str]:
    text = doc.read_text("utf-8")
    return [t for t in LINK.findall(text) + IMG.findall(text) if "://" not in t
            and not t.startswith("mailto:")]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_local_link_and_picture_exists(doc: Path) -> None:
    missing = [t for t in local_links(doc) if not (doc.parent / t).exists()]
    assert not missing, f"{doc.name} points at files that don't exist: {missing}"


def test_the_readme_shows_the_main_cards() -> None:
    pictures = [t for t in local_links(ROOT / "README.md")
                if t.startswith("docs/cards/") and t.endswith(".png")]
    assert len(pictures) >= 5
    for picture in pictures:
        assert (ROOT / picture).read_bytes().startswith(b"\x89PNG\r\n\x1a\n"), picture

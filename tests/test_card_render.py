"""Every card through Microsoft's official JS renderer (tools/render/render.mjs) in Chromium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.card_schema import fixture_cards, sample_cards_or_skip

pytestmark = pytest.mark.node

ROOT = Path(__file__).resolve().parent.parent
RENDER_DIR = ROOT / "tools" / "render"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _skip_unless_renderer() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (Node 20 is needed for tools/render)")
    if not (RENDER_DIR / "node_modules").is_dir():
        pytest.skip("tools/render/node_modules is missing: run `npm ci` in tools/render")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    return node


def _render(cards: dict[str, Any], tmp_path: Path) -> tuple[int, dict[str, list[str]], Path]:
    """Write cards as JSON, render them; return (exit code, report, out dir)."""
    node = _skip_unless_renderer()
    in_dir, out_dir = tmp_path / "in", tmp_path / "out"
    in_dir.mkdir()
    for name, card in cards.items():
        (in_dir / f"{name}.json").write_text(json.dumps(card), "utf-8")
    run = subprocess.run(
        [node, str(RENDER_DIR / "render.mjs"), str(in_dir), str(out_dir)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert run.returncode in (0, 1), f"renderer crashed:\n{run.stdout}\n{run.stderr}"
    report = json.loads((out_dir / "report.json").read_text("utf-8"))
    return run.returncode, report, out_dir


def _all_cards() -> dict[str, Any]:
    cards = {f"fixture_{name}": card for name, card in fixture_cards().items()}
    try:
        cards |= sample_cards_or_skip()
    except pytest.skip.Exception:
        pass  # no cards.samples yet: the fixtures alone still exercise the renderer
    return cards


def test_every_card_renders_without_renderer_messages(tmp_path: Path) -> None:
    cards = _all_cards()
    code, report, out_dir = _render(cards, tmp_path)
    problems = {name: messages for name, messages in report.items() if messages}
    assert not problems, json.dumps(problems, indent=2)
    assert code == 0
    assert sorted(report) == sorted(cards)
    for name in cards:
        assert (out_dir / f"{name}.png").read_bytes().startswith(PNG_MAGIC), name


def test_renderer_reports_broken_cards(tmp_path: Path) -> None:
    good = fixture_cards()["case_card"]
    unknown = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Fancy"}]}
    duplicate = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [
            {"type": "Input.Text", "id": "note", "label": "Note"},
            {"type": "Input.Text", "id": "note", "label": "Note again"},
        ],
    }
    code, report, _ = _render({"good": good, "unknown": unknown, "duplicate": duplicate}, tmp_path)
    assert code == 1
    assert report["good"] == []
    assert any("UnknownElementType" in m and "Fancy" in m for m in report["unknown"])
    assert any("DuplicateId" in m for m in report["duplicate"])

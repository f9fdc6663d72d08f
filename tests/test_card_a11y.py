"""WCAG 2.2 AA for every card: axe-core on each card as Teams draws it (tools/render/a11y.mjs),
in the light, dark and high-contrast themes, 360 px (a phone) and 760 px wide, with each
Action.ShowCard opened in turn. NHS services must meet WCAG 2.2 AA."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.test_card_render import RENDER_DIR, _all_cards, _skip_unless_renderer

pytestmark = pytest.mark.node

THEMES = ("light", "dark", "contrast")
WIDTHS = (360, 760)


def _check(cards: dict[str, Any], tmp: Path, *args: str) -> dict[str, Any]:
    """Write cards as JSON, run axe on them; return the report."""
    node = _skip_unless_renderer()
    in_dir = tmp / "in"
    in_dir.mkdir()
    for name, card in cards.items():
        (in_dir / f"{name}.json").write_text(json.dumps(card), "utf-8")
    report_file = tmp / "a11y.json"
    run = subprocess.run(
        [node, str(RENDER_DIR / "a11y.mjs"), str(in_dir), str(report_file), *args],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert run.returncode in (0, 1), f"axe run crashed:\n{run.stdout}\n{run.stderr}"
    report: dict[str, Any] = json.loads(report_file.read_text("utf-8"))
    assert (run.returncode == 1) == bool(report["violations"] or report["renderer"])
    return report


def _listing(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['card']} [{v['theme']}, {v['width']} px, {v['view']}] "
                     f"{v['rule']}: {v['help']}")
        lines += [f"    {n['target']}: {' '.join(n['summary'].split())}" for n in v["nodes"]]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def every_card(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every sample card (whatever cards.samples lists) and the fixtures, checked once."""
    cards = _all_cards()
    return cards, _check(cards, tmp_path_factory.mktemp("a11y"))


def test_every_card_meets_wcag_22_aa_in_every_theme_and_width(
    every_card: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    cards, report = every_card
    assert report["tags"] == ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
    assert not report["violations"], "\n" + _listing(report["violations"])
    assert not report["renderer"], json.dumps(report["renderer"], indent=2)
    checked = {(c["card"], c["theme"], c["width"]) for c in report["checked"]}
    assert checked == {(n, t, w) for n in cards for t in THEMES for w in WIDTHS}
    # a card with ShowCards was also checked with each one opened
    views = {c["card"]: c["views"] for c in report["checked"] if c["theme"] == "light"}
    assert any(len(v) > 1 for v in views.values())
    assert all(v[0] == "as posted" for v in views.values())


def test_the_faint_colours_of_the_teams_themes_are_caught(tmp_path: Path) -> None:
    """The complaint: "Waiting" in Warning yellow on white. Good green fails on white too, and
    Attention red on the dark theme: a card may use neither as text colour."""
    def coloured(color: str) -> dict[str, Any]:
        return {"type": "AdaptiveCard", "version": "1.5",
                "body": [{"type": "TextBlock", "text": "0 of 4 acknowledged", "color": color,
                          "wrap": True}]}

    cards = {"warning": coloured("Warning"), "good": coloured("Good"),
             "attention": coloured("Attention")}
    report = _check(cards, tmp_path, "--widths", "360")
    failed = {(v["card"], v["theme"]) for v in report["violations"]
              if v["rule"] == "color-contrast"}
    assert {("warning", "light"), ("good", "light"), ("attention", "dark")} <= failed
    assert not {k for k in failed if k[1] == "contrast"}  # high contrast: white on black


def test_unnamed_inputs_buttons_and_images_in_a_showcard_are_caught(tmp_path: Path) -> None:
    hidden_form = {"type": "AdaptiveCard", "body": [
        {"type": "Input.Text", "id": "note"},
        {"type": "Input.ChoiceSet", "id": "pick", "style": "compact",
         "choices": [{"title": "One", "value": "1"}]},
        {"type": "Image", "url": "https://example.org/chart.png"},
        {"type": "ActionSet", "actions": [
            {"type": "Action.Submit", "iconUrl": "https://example.org/send.png"}]},
    ]}
    card = {"type": "AdaptiveCard", "version": "1.5",
            "body": [{"type": "TextBlock", "text": "Nothing wrong here", "wrap": True}],
            "actions": [{"type": "Action.ShowCard", "title": "Add a note", "card": hidden_form}]}
    report = _check({"form": card}, tmp_path, "--widths", "360", "--themes", "light")
    by_view: dict[str, set[str]] = {}
    for v in report["violations"]:
        by_view.setdefault(v["view"], set()).add(v["rule"])
    assert "as posted" not in by_view  # the form is hidden until opened
    assert {"label", "select-name", "image-alt", "button-name"} <= by_view['"Add a note" opened']
    assert '"Add a note" opened' in _listing(report["violations"])

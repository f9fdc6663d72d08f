"""The hazard log names a real, existing test for every control, and covers the hazards the
clinical safety case must address."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "docs" / "clinical-safety" / "hazard-log.md"
REPORT = ROOT / "docs" / "clinical-safety" / "safety-case-report.md"
REQUIRED = ["missed or late escalation", "wrong recipient", "lost notification",
            "case shown to the wrong audience", "wrong statutory deadline",
            "patient data in chat", "stale card decision"]
REF = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def hazards() -> dict[str, str]:
    parts = re.split(r"^## (H\d+\. .+)$", LOG.read_text(encoding="utf-8"), flags=re.M)
    return {title: body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name.startswith("test_")}


def test_every_required_hazard_is_in_the_log() -> None:
    titles = [t.lower() for t in hazards()]
    for hazard in REQUIRED:
        assert any(hazard in t for t in titles), f"hazard log lacks: {hazard}"


def test_each_hazard_has_causes_controls_and_residual_risk() -> None:
    for title, body in hazards().items():
        assert "**Causes**" in body and "**Controls**" in body, title
        assert re.search(r"\*\*Residual risk\*\*:.*\*\*risk [1-5]\*\*", body), title
        rows = [r for r in body.splitlines()
                if r.startswith("| ") and not r.startswith("| Control")]
        assert rows, f"{title}: no controls"
        for row in rows:
            assert REF.search(row), f"{title}: a control names no test: {row[:80]}"


def test_every_named_test_exists() -> None:
    missing = []
    cache: dict[Path, set[str]] = {}
    for path, name in REF.findall(LOG.read_text(encoding="utf-8")):
        file = ROOT / path
        if not file.exists():
            missing.append(f"{path} (no such file)")
            continue
        if name not in cache.setdefault(file, defined_tests(file)):
            missing.append(f"{path}::{name}")
    assert not missing, "the hazard log names tests that do not exist:\n" + "\n".join(missing)


def test_the_safety_case_report_covers_every_hazard() -> None:
    report = REPORT.read_text(encoding="utf-8")
    for title in hazards():
        assert title.split(".")[0] in report, f"the report does not mention {title}"

"""The benchmark's code paths on tiny sizes: every process starts, every scenario runs, and the
report is written. Nothing here is timed; `make bench` measures."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.report import render
from bench.run import Sizes, index_migration_base, main

TINY = Sizes(levels=(1,), seconds=0.3, per_user=1, cases=200, events=1000, runs=2, notes=10,
             notifications=20, threads=4)


async def test_the_quick_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    assert index_migration_base() != "head"  # the indexes it measures are in a migration
    run = await main(TINY, {"inbound", "storage", "fanout"}, "quick", tmp_path, postgres=False,
                     tune=False, sdks=("botbuilder", "no-such-sdk"))

    inbound = run.inbound[("botbuilder", "SQLite")]
    assert list(run.inbound) == [("botbuilder", "SQLite")]  # the unknown edge skipped, noted
    assert any("`no-such-sdk` edge was not measured" in n for n in run.notes)
    for table in (inbound.ours_messages, inbound.ours_channel, inbound.ours_clicks, inbound.echo,
                  inbound.ideal):
        assert table[1].done > 0 and table[1].errors == 0
    assert inbound.paced is not None and inbound.paced.done > 0
    assert inbound.paced_throttled == 0  # our pacing kept under Teams' limits
    [storage] = run.storage
    assert {q.query for q in storage.after} == {"case N", "cases", "overdue", "agenda"}
    assert all(q.rows >= 0 for q in storage.before + storage.after)
    assert run.fanout is not None and run.fanout.notifications == 20
    assert run.fanout.throttled == 0

    text = render(run, "## Notes\n")
    for heading in ("# Performance", "## Targets", "## (a) Inbound", "## (b) Storage",
                    "## (c) Fan-out", "1:1 / echo bot", "channel / ideal bot", "Quick mode",
                    "(botbuilder, SQLite)", "no-such-sdk"):
        assert heading in text


async def test_the_tab_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    run = await main(TINY, {"tab"}, "quick", tmp_path, postgres=False, tune=False)
    [tab] = run.tab
    assert [t.page for t in tab.timings][:1] == ["Cases: one ICB, overdue, by due date"]
    assert all(t.p99_ms > 0 for t in tab.timings)
    national = next(t for t in tab.timings if t.page == "Cases: national, open, newest")
    assert national.rows.endswith(("cases", "pages")) or "page 1 of" in national.rows
    text = render(run, "## Notes\n")
    assert "## (e) The tab" in text and "tab, Statistics: a region and a quarter" in text


def test_the_privacy_part_runs_alone_and_prints_its_table(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from bench.run import cli

    out = tmp_path / "report.md"
    assert cli(["--only", "privacy", "--quick", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for line in ("| nhs number | 34 | 34 | 100.0% | 100% |", "clean sentences flagged",
                 "Time per 500-character note (100 notes): p50", "Name lists:"):
        assert line in printed, printed
    assert not out.exists()  # alone, it does not rewrite the report


async def test_the_report_has_the_detector_section(tmp_path: Path) -> None:
    run = await main(TINY, {"privacy"}, "quick", tmp_path, postgres=False, tune=False)
    assert run.privacy is not None and run.privacy.false_alarm_rate <= 0.05
    text = render(run, "## Notes\n")
    assert "## (d) Patient data detector" in text
    assert "detector p99 < 5 ms per 500-character note" in text

"""The benchmark's code paths on tiny sizes: every process starts, every scenario runs, and the
report is written. Nothing here is timed; `make bench` measures."""

from __future__ import annotations

from pathlib import Path

from bench.report import render
from bench.run import Sizes, index_migration_base, main

TINY = Sizes(levels=(1,), seconds=0.3, per_user=1, cases=200, events=1000, runs=2,
             notifications=20, threads=4)


async def test_the_quick_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    assert index_migration_base() != "head"  # the indexes it measures are in a migration
    run = await main(TINY, {"inbound", "storage", "fanout"}, "quick", tmp_path, postgres=False,
                     tune=False)

    inbound = run.inbound["SQLite"]
    for table in (inbound.ours_messages, inbound.ours_clicks, inbound.echo, inbound.ideal):
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
                    "## (c) Fan-out", "ours / echo bot", "Quick mode"):
        assert heading in text


async def test_the_tab_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    run = await main(TINY, {"tab"}, "quick", tmp_path, postgres=False, tune=False)
    [tab] = run.tab
    assert [t.page for t in tab.timings][:1] == ["Cases: one ICB, overdue, by due date"]
    assert all(t.p99_ms > 0 for t in tab.timings)
    national = next(t for t in tab.timings if t.page == "Cases: national, open, newest")
    assert national.rows.endswith(("cases", "pages")) or "page 1 of" in national.rows
    text = render(run, "## Notes\n")
    assert "## (d) The tab" in text and "tab, Statistics: a region and a quarter" in text

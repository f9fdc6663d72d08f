"""docs/performance.md from one benchmark run: the tables, the ratios and the targets."""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .common import cpu_info
from .fanout import FanoutResult
from .inbound import InboundResult
from .load import Level
from .privacy_bench import PrivacyResult, pct
from .privacy_bench import section as privacy_section
from .storage_bench import StorageResult
from .tab_bench import TabResult, tab_section

TARGET_CLICK_P99 = 150.0
TARGET_QUERY_P99 = 20.0


@dataclass
class Run:
    mode: str
    inbound: dict[tuple[str, str], InboundResult] = field(default_factory=dict)  # (edge, db)
    storage: list[StorageResult] = field(default_factory=list)
    fanout: FanoutResult | None = None
    privacy: PrivacyResult | None = None
    tab: list[TabResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _level(name: str, lv: Level) -> str:
    return (f"| {name} | {lv.users} | {lv.per_second:.0f} | {lv.p50_ms:.1f} | {lv.p99_ms:.1f} "
            f"| {lv.errors} |")


KINDS = (("`case N`, 1:1", "ours_messages"), ("`case N`, channel", "ours_channel"),
         ("card click", "ours_clicks"))


def inbound_section(results: dict[tuple[str, str], InboundResult]) -> list[str]:
    out = ["## (a) Inbound: simulated Teams users over real HTTP", "",
           "Each simulated user posts an activity to `/api/messages`, waits for the answer, and "
           "posts the next. `case N, 1:1` is a message in the user's 1:1 chat with the bot; "
           "`case N, channel` is `@bot case N` in the team's safeguarding channel (both answered "
           "with the case card through Bot Connector); a card click is an "
           "`adaptiveCard/action` invoke that triages one of the user's cases (a real decision: "
           "event, new version, outbox card update, answered with the new card). Our bot runs "
           "once per SDK edge (`TRACKER_SDK`: the SDK only checks who sent each activity and "
           "gets the token our answers are sent with) and database. The references get the "
           "same 1:1 `case N` messages and answer with one text. Bot, references and emulator "
           "each run in their own process; our bot with `TRACKER_TENANT_RPS=10000` and "
           "`TRACKER_THREAD_RPS=10000`, so this measures capacity, not Teams' pacing.", "",
           "| bot | users | activities/s | p50 ms | p99 ms | errors |", "|---|---|---|---|---|---|"]
    first = next(iter(results.values()))
    for (edge, db), r in results.items():
        for label, attr in KINDS:
            for n in r.levels:
                if n in getattr(r, attr):
                    out.append(_level(f"ours, {label} ({edge}, {db})", getattr(r, attr)[n]))
    for n in first.levels:
        out.append(_level("bare botbuilder echo bot", first.echo[n]))
    for n in first.levels:
        out.append(_level("ideal aiohttp bot", first.ideal[n]))
    out += ["", "Our `case N` throughput as a ratio of the references, and the card click's "
                "p99, same run:", "",
            "| edge | database | users | 1:1 / echo bot | 1:1 / ideal bot | channel / echo bot "
            "| channel / ideal bot | click p99 ms |", "|---|---|---|---|---|---|---|---|"]
    for (edge, db), r in results.items():
        for n in r.levels:
            echo, ideal = first.echo[n].per_second, first.ideal[n].per_second
            dm, ch = r.ours_messages[n].per_second, r.ours_channel[n].per_second
            out.append(f"| {edge} | {db} | {n} | {dm / echo:.2f}x | {dm / ideal:.3f} | "
                       f"{ch / echo:.2f}x | {ch / ideal:.3f} | "
                       f"{r.ours_clicks[n].p99_ms:.0f} |")
    for (edge, db), r in results.items():
        if r.paced is not None:
            out += ["", f"At Teams' default limits ({edge}, {db}; 7/s per conversation, 50/s "
                        f"per tenant; the emulator enforcing them with 429s): {r.paced_users} "
                        f"users sending `case N`, {r.paced.per_second:.0f} answers/s, p50 "
                        f"{r.paced.p50_ms:.0f} ms, p99 {r.paced.p99_ms:.0f} ms, "
                        f"{r.paced_throttled} answers throttled (429)."]
    return out


def storage_section(results: list[StorageResult]) -> list[str]:
    out = ["## (b) Storage", ""]
    for r in results:
        out += [f"{r.backend}: {r.cases:,} cases and {r.events:,} events, loaded in "
                f"{r.load_seconds:.0f} s; our indexes built on them in {r.index_seconds:.1f} s. "
                "Each query through the same service call as the command (permission check, "
                "the query, and turning the rows back into cases), national scope (sees every "
                "case) and one ICB's scope. After the load the tables are analysed (and on "
                "PostgreSQL vacuumed, as autovacuum would), then analysed again after the "
                "indexes are built.", "",
                "| query | scope | rows | before our indexes p50 / p99 ms | "
                "with them p50 / p99 ms |", "|---|---|---|---|---|"]
        for b, a in zip(r.before, r.after, strict=True):
            out.append(f"| `{a.query}` | {a.scope} | {a.rows} | {b.p50_ms:.1f} / {b.p99_ms:.1f}"
                       f" | {a.p50_ms:.1f} / {a.p99_ms:.1f} |")
        out.append("")
    return out


def fanout_section(f: FanoutResult) -> list[str]:
    return ["## (c) Fan-out", "",
            f"{f.notifications} notifications across {f.threads} case threads, each in its own "
            "channel, through the real delivery worker at the default limits, to the emulator "
            "enforcing Teams' limits (429 past them). The tenant's 50/s binds (50 threads x "
            "7/s would allow 350/s); under a sliding one-second window N messages need at "
            "least N/50 windows, so the effective rate is N / (first to last send + 1 s).", "",
            "| sent | first to last | effective rate | allowed | fraction | 429s |",
            "|---|---|---|---|---|---|",
            f"| {f.notifications} | {f.first_to_last:.2f} s | {f.effective_rate:.1f}/s | "
            f"{f.allowed_per_second:.0f}/s | {f.fraction:.0%} | {f.throttled} |", ""]


def targets(run: Run) -> list[str]:
    rows = []
    for (edge, db), res in run.inbound.items():
        if 10 in res.ours_clicks and db == "SQLite":
            p99 = res.ours_clicks[10].p99_ms
            rows.append((f"card click p99 < 150 ms at 10 users ({edge}, {db})",
                         f"{p99:.0f} ms", p99 < TARGET_CLICK_P99))
        for where, table in (("1:1", res.ours_messages), ("channel", res.ours_channel)):
            for n in res.levels:
                echo = table[n].per_second / res.echo[n].per_second
                ideal = table[n].per_second / res.ideal[n].per_second
                rows.append((f"`case N` ({where}) >= 3x echo bot, at {n} users ({edge}, {db})",
                             f"{echo:.2f}x", echo >= 3))
                rows.append((f"`case N` ({where}) >= 1/4 of ideal bot, at {n} users "
                             f"({edge}, {db})", f"{ideal:.3f}", ideal >= 0.25))
    for s in run.storage:
        worst = max(s.after, key=lambda q: q.p99_ms)
        rows.append((f"every query p99 < 20 ms at {s.cases:,} cases ({s.backend})",
                     f"worst {worst.p99_ms:.1f} ms (`{worst.query}`, {worst.scope})",
                     worst.p99_ms < TARGET_QUERY_P99))
    for r in run.tab:
        for tt in r.timings:
            rows.append((f"tab, {tt.page} ({tt.who}), p99 < {tt.target_ms:.0f} ms at "
                         f"{r.cases:,} cases ({r.backend})", f"{tt.p99_ms:.1f} ms",
                         tt.p99_ms < tt.target_ms))
    if run.fanout is not None:
        f = run.fanout
        rows.append(("fan-out >= 80% of the allowed rate, no 429 storms",
                     f"{f.fraction:.0%}, {f.throttled} x 429", f.fraction >= 0.8
                     and f.throttled == 0))
    if (p := run.privacy) is not None:
        worst = min((p.recall(k) for k in p.labelled if k != "nhs_number"), default=1.0)
        rows.append(("detector: NHS numbers 100%, other kinds >= 95%, false alarms <= 5%",
                     f"{p.recall('nhs_number'):.0%}, worst other {worst:.1%}, "
                     f"{p.false_alarm_rate:.1%}", p.recall("nhs_number") == 1.0 and worst >= 0.95
                     and p.false_alarm_rate <= 0.05))
        rows.append(("detector p99 < 5 ms per 500-character note",
                     f"{pct(p.wall_ms, 0.99):.2f} ms", pct(p.wall_ms, 0.99) < 5.0))
    out = ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
    out += [f"| {t} | {m} | {'yes' if ok else '**no**'} |" for t, m, ok in rows]
    return out + [""]


def render(run: Run, explanation: str) -> str:
    head = ["# Performance", "",
            f"Written by `python -m bench.run{' --quick' if run.mode == 'quick' else ''}` "
            f"(`make bench`) on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {cpu_info()}, Python "
            f"{platform.python_version()}. Every figure below comes from this one run; "
            "ratios compare numbers measured minutes apart on the same machine.", ""]
    if run.mode == "quick":
        head += ["**Quick mode**: tiny sizes and short runs, to check the benchmark works. "
                 "The figures mean little; run `make bench` for real ones.", ""]
    body = targets(run)
    if run.inbound:
        body += inbound_section(run.inbound) + [""]
    if run.storage:
        body += storage_section(run.storage)
    if run.fanout is not None:
        body += fanout_section(run.fanout)
    if run.privacy is not None:
        body += [privacy_section(run.privacy)]
    if run.tab:
        body += tab_section(run.tab)
    body += [f"- {n}" for n in run.notes] + ([""] if run.notes else [])
    return "\n".join(head + body + [explanation.strip(), ""])

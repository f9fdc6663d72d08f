"""(d) The patient data detector: recall per kind and false alarms on the labelled corpus
(tests/data/privacy_corpus.jsonl), the time `tracker.privacy.scan` takes per 500-character
note, and the memory the name lists cost. `python -m bench.run --only privacy` runs it alone."""

from __future__ import annotations

import json
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

from .common import ROOT

CORPUS = ROOT / "tests" / "data" / "privacy_corpus.jsonl"
# 40 sentences written after the detector was tuned on CORPUS, and never tuned on: a check that
# the corpus figures are not just the rules learning the corpus.
HOLDOUT = ROOT / "tests" / "data" / "privacy_holdout.jsonl"
NOTE_CHARS = 500


@dataclass
class PrivacyResult:
    sentences: int = 0
    clean: int = 0
    false_alarms: int = 0
    labelled: dict[str, int] = field(default_factory=dict)  # kind -> sentences holding it
    caught: dict[str, int] = field(default_factory=dict)
    wall_ms: list[float] = field(default_factory=list)  # per note, sorted
    cpu_ms: list[float] = field(default_factory=list)
    holdout: tuple[int, int, int, int] = (0, 0, 0, 0)  # caught, labelled, false alarms, clean
    names_mb: float = 0.0
    names_count: int = 0
    first_use_s: float = 0.0

    def recall(self, kind: str) -> float:
        return self.caught.get(kind, 0) / self.labelled[kind]

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.clean if self.clean else 0.0


def corpus(path: Path = CORPUS) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


def notes(texts: list[str], count: int) -> list[str]:
    """500-character notes made of corpus sentences (identifiers and clean text mixed)."""
    out = []
    for i in range(count):
        note, j = "", i
        while len(note) < NOTE_CHARS:
            note += texts[j % len(texts)] + " "
            j += 7
        out.append(note[:NOTE_CHARS])
    return out


def run_privacy(count: int = 500) -> PrivacyResult:
    from tracker.privacy import names, scan

    result = PrivacyResult()
    tracemalloc.start()
    started = time.perf_counter()
    first, last = names.forenames(), names.surnames()
    result.names_mb = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    scan("Warm up the engine")
    result.first_use_s = time.perf_counter() - started
    result.names_count = len(first) + len(last)

    rows = corpus()
    for row in rows:
        kinds = {f.kind for f in scan(str(row["text"]))}
        labels = list(row["kinds"])  # type: ignore[call-overload]
        result.sentences += 1
        if not labels:
            result.clean += 1
            result.false_alarms += bool(kinds)
        for kind in labels:
            result.labelled[kind] = result.labelled.get(kind, 0) + 1
            result.caught[kind] = result.caught.get(kind, 0) + (kind in kinds)
    caught = labelled = alarms = clean = 0
    for row in corpus(HOLDOUT):
        kinds = {f.kind for f in scan(str(row["text"]))}
        labels = list(row["kinds"])  # type: ignore[call-overload]
        labelled += len(labels)
        caught += sum(kind in kinds for kind in labels)
        clean += not labels
        alarms += bool(kinds) and not labels
    result.holdout = (caught, labelled, alarms, clean)
    for note in notes([str(r["text"]) for r in rows], count):
        wall, cpu = time.perf_counter(), time.thread_time()
        scan(note)
        result.cpu_ms.append((time.thread_time() - cpu) * 1000)
        result.wall_ms.append((time.perf_counter() - wall) * 1000)
    result.wall_ms.sort()
    result.cpu_ms.sort()
    return result


def table(r: PrivacyResult) -> str:
    lines = ["| kind | sentences | caught | recall | bar |", "|---|---:|---:|---:|---:|"]
    for kind in sorted(r.labelled, key=lambda k: -r.labelled[k]):
        bar = "100%" if kind == "nhs_number" else "95%"
        lines.append(f"| {kind.replace('_', ' ')} | {r.labelled[kind]} | {r.caught.get(kind, 0)}"
                     f" | {r.recall(kind):.1%} | {bar} |")
    lines.append(f"| clean sentences flagged (false alarms) | {r.clean} | {r.false_alarms} | "
                 f"{r.false_alarm_rate:.1%} | at most 5% |")
    caught, labelled, alarms, clean = r.holdout
    lines += ["", f"Held-out sentences (never tuned on): {caught} of {labelled} identifiers "
              f"caught, {alarms} of {clean} clean sentences flagged."]
    lines += ["", f"Time per {NOTE_CHARS}-character note ({len(r.wall_ms)} notes): "
              f"p50 {pct(r.wall_ms, 0.5):.2f} ms, p99 {pct(r.wall_ms, 0.99):.2f} ms wall clock "
              f"(CPU of this thread: p50 {pct(r.cpu_ms, 0.5):.2f} ms, "
              f"p99 {pct(r.cpu_ms, 0.99):.2f} ms); target p99 under 5 ms.",
              f"Name lists: {r.names_count:,} names, {r.names_mb:.1f} MB of Python memory; "
              f"first use (lists and engine) {r.first_use_s:.1f} s."]
    return "\n".join(lines)


def section(r: PrivacyResult) -> str:
    return (f"## (d) Patient data detector\n\n{r.sentences} labelled sentences "
            f"({r.sentences - r.clean} with identifiers, {r.clean} clean).\n\n{table(r)}\n")

"""The `case N` snapshot is built without the state's inputs and buttons (`READ_ONLY_PARTS`),
where it was once the live card with those stripped off. In every state, for rich Path 1 and
Path 2 records, it says exactly what the stripped live card said, less a section heading with
nothing under it (the "Triage" heading of a new case, whose inputs a snapshot never had)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from cards.case_card import _without_inputs, case_card, case_snapshot
from cards.samples import TODAY, sample_cases
from tracker.deadlines import WorkingDays
from tracker.model import State
from tracker.reference import Reference
from tracker.views import CaseView, case_view

TAKEN = datetime(2026, 11, 27, 10, 30, tzinfo=UTC)
REF = Reference.load()


def is_section(el: Any) -> bool:
    return (isinstance(el, dict) and el.get("type") == "TextBlock" and el.get("separator") is True
            and el.get("weight") == "Bolder")


def stripped_live_card(view: CaseView) -> dict[str, Any]:
    """The snapshot as it used to be made: the live card, inputs and buttons stripped."""
    live = case_card(view)
    body = _without_inputs(live["body"])
    note = case_snapshot(view, TAKEN)["body"][2]
    body.insert(2, note)
    body = [el for i, el in enumerate(body)  # a heading left with nothing under it
            if not (is_section(el) and (i + 1 == len(body) or is_section(body[i + 1])))]
    return {**{k: v for k, v in live.items() if k != "actions"}, "body": body,
            "fallbackText": f"{live['fallbackText']} (snapshot)"}


def views() -> list[tuple[str, CaseView]]:
    samples = sample_cases()
    out = []
    for state in State:
        for name in ("case_review", "case_path2", "case_new"):
            case = dataclasses.replace(samples[name], state=state)
            out.append((f"{state.value}-{name}", case_view(case, REF, TODAY, WorkingDays())))
    return out


@pytest.mark.parametrize(("name", "view"), views(), ids=[n for n, _ in views()])
def test_the_snapshot_says_what_the_stripped_live_card_said(name: str, view: CaseView) -> None:
    snapshot = case_snapshot(view, TAKEN)
    assert snapshot == stripped_live_card(view)
    assert "actions" not in snapshot
    assert _without_inputs(snapshot["body"]) == snapshot["body"]  # no inputs, at any depth
    assert snapshot["body"][2]["text"].startswith("Snapshot at 27 Nov 2026 10:30.")

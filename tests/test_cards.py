"""The cards package: every sample card is a valid Teams card, and behaves as the bot expects."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cards import samples
from cards.actions import CardVerb
from cards.case_card import ACTION_BUILDERS, NOT_ON_STEIS, case_card
from cards.components import sentence
from cards.controls import Controls
from cards.intake_card import FIELDS, intake_card
from cards.notice import notice_card
from tests.support.card_schema import INPUT_TYPES, assert_valid_card
from tracker.model import State
from tracker.reference import Reference
from tracker.views import CaseView

Json = dict[str, Any]
CARDS = samples.sample_cards()
VIEWS = samples.sample_views()
REF = Reference.load()


def walk(node: Any) -> Iterator[Json]:
    """Every element and action in a card (fallbacks included)."""
    if isinstance(node, dict):
        if isinstance(node.get("type"), str):
            yield node
        for key, value in node.items():
            if key not in ("data", "msteams"):
                yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def of_type(card: Json, *types: str) -> list[Json]:
    return [n for n in walk(card) if n["type"] in types]


def texts(card: Json) -> list[str]:
    return [n["text"] for n in of_type(card, "TextBlock")]


def flagged(card: Json, tone: str = "attention") -> list[str]:
    """The text of every line on a tinted strip of `tone` (cards.components.flag)."""
    return [t for n in of_type(card, "Container") if n.get("style") == tone
            for t in texts({"body": n["items"]})]


def text_of(node: Json) -> str:
    """A TextBlock's text, or the first line of a Container (a flagged line)."""
    return str(node["text"] if node["type"] == "TextBlock" else node["items"][0]["text"])


def titles(card: Json) -> list[str]:
    return [n["title"] for n in walk(card) if n["type"].startswith("Action.")]


def inputs(card: Json) -> dict[str, Json]:
    return {n["id"]: n for n in walk(card) if n["type"] in INPUT_TYPES}


def test_samples_cover_every_card_kind() -> None:
    for name in ("case_new", "case_not_on_steis", "case_triaged", "case_path1_panel",
                 "case_review", "case_path2", "case_closed_published", "intake_form",
                 "intake_form_errors", "case_list", "notice_error"):
        assert name in CARDS


@pytest.mark.parametrize("name", sorted(CARDS))
def test_sample_card_is_valid(name: str) -> None:
    assert_valid_card(CARDS[name], name)
    json.dumps(CARDS[name])  # plain JSON, nothing left as a model


@pytest.mark.parametrize("name", sorted(CARDS))
def test_every_execute_falls_back_to_a_submit_with_the_same_data(name: str) -> None:
    for action in of_type(CARDS[name], "Action.Execute"):
        fallback = action["fallback"]
        assert fallback["type"] == "Action.Submit"
        assert fallback["data"] == action["data"]
        assert fallback["title"] == action["title"]
        assert action["data"]["verb"] == action["verb"]
        assert action["verb"] in set(CardVerb)


@pytest.mark.parametrize("name", sorted(CARDS))
def test_mobile_friendly(name: str) -> None:
    card = CARDS[name]
    assert card["version"] == "1.5"
    assert not of_type(card, "Table")
    assert all(len(c["columns"]) <= 3 for c in of_type(card, "ColumnSet"))
    assert all(len(t) <= 25 for t in titles(card)), titles(card)
    assert card.get("msteams", {}).get("width", "Full") == "Full"


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_case_card_title(name: str) -> None:
    view = VIEWS[name]
    first = CARDS[name]["body"][0]
    assert first["text"] == f"Case {view.case.number} · {view.locality_name}"
    assert first["weight"] == "Bolder" and first["size"] == "Large"
    assert text_of(CARDS[name]["body"][1]).startswith(sentence(view.case.state.label))


@pytest.mark.parametrize("name", ["case_new", "case_not_on_steis", "case_triaged"])
def test_new_and_triaged_cases_offer_triage_and_routes(name: str) -> None:
    card, case = CARDS[name], VIEWS[name].case
    shown = titles(card)
    for needle in ("Path 1", "Path 2", "No further action"):
        assert any(needle in t for t in shown), (needle, shown)
    verbs = {a["verb"] for a in of_type(card, "Action.Execute")}
    assert verbs == {"triage", "route_path1", "route_path2", "route_nfa"}
    for action in of_type(card, "Action.Execute"):
        assert action["data"] == {"verb": action["verb"], "case": case.number,
                                  "version": case.version}
    fields = inputs(card)
    assert set(fields) == {"level", "strategy_meeting_on", "age_group", "reason"}
    level = fields["level"]
    assert level["label"] == "Level of investigation" and level["isRequired"]
    assert [c["value"] for c in level["choices"]] == [
        o.key for o in REF.options["investigation_levels"]]
    assert level.get("value", "") == case.investigation_level
    assert fields["strategy_meeting_on"]["type"] == "Input.Date"
    reason = fields["reason"]
    assert reason["isRequired"] and reason["isMultiline"] and reason["errorMessage"]
    # the reason box and its confirm button live in the "No further action" ShowCard
    show = next(a for a in card["actions"] if a["type"] == "Action.ShowCard")
    assert show["title"] == "No further action"
    assert inputs(show["card"]) == {"reason": reason}
    assert show["card"]["actions"][0]["verb"] == "route_nfa"


def test_triaged_case_presets_its_level_and_meeting() -> None:
    fields = inputs(CARDS["case_triaged"])
    assert fields["level"]["value"] == "case_review"
    assert fields["strategy_meeting_on"]["value"] == "2026-12-02"


@pytest.mark.parametrize("name", ["case_closed_published", "case_closed_nfa"])
def test_closed_case_is_read_only(name: str) -> None:
    card = CARDS[name]
    assert "actions" not in card
    assert not [n for n in walk(card) if n["type"].startswith("Action.")]
    assert not inputs(card)
    assert flagged(card)[0].startswith("Closed")  # the state line, on a red strip
    banner = next(n for n in of_type(card, "Container") if n.get("style") == "emphasis")
    assert banner["items"][0]["text"] == "Closed"


def test_builders_are_looked_up_by_state(monkeypatch: pytest.MonkeyPatch) -> None:
    def panel(view: CaseView) -> Controls:
        return Controls(actions=[])

    monkeypatch.setitem(ACTION_BUILDERS, State.PANEL, panel)
    assert "actions" not in case_card(VIEWS["case_path1_panel"])


def test_case_facts() -> None:
    def fact_map(name: str) -> dict[str, str]:
        return {f["title"]: f["value"] for fs in of_type(CARDS[name], "FactSet")
                for f in fs["facts"]}

    new = fact_map("case_new")
    assert new["Identifiers"] == "StEIS 2026/1234"
    assert new["Reported"] == "25 Nov 2026 by Riverside Community Health NHS Trust"
    assert new["Locality"] == "NHS Devon ICB, South West"
    assert "Route" not in new and "Media interest" not in new  # empty facts are left out
    assert fact_map("case_not_on_steis")["Identifiers"] == f"Local KM-SG-0031 · {NOT_ON_STEIS}"
    review = fact_map("case_review")
    assert review["Level of investigation"] == "Statutory case review to be considered"
    assert review["Review type"] == "CSPR, converted from Rapid Review"
    assert review["Stage"] == "Information gathering (IMRs, chronology)"
    assert review["Route"] == "Path 1 (case review)"
    assert review["Designated professional"] == "Sam Taylor"
    assert review["Media interest"] == "Yes, confirmed"
    assert fact_map("case_path1_panel")["Specialist commissioned"] == "Yes"


def test_decisions_and_deadlines() -> None:
    panel = texts(CARDS["case_path1_panel"])
    assert "Route: Path 1 (case review) — Alex Morgan, 26 Nov 2026 15:40" in panel
    review = CARDS["case_review"]
    late = [t for t in texts(review) if "overdue" in t]
    assert late and set(late) <= set(flagged(review))
    assert "CSPR publication: 11 Nov 2026, 16 days overdue" in texts(review)
    assert "SIN notification: 21 Apr 2026 (met)" in texts(review)


def test_intake_form_inputs() -> None:
    card = CARDS["intake_form"]
    fields = inputs(card)
    assert tuple(fields) == FIELDS
    required = {k for k, f in fields.items() if f.get("isRequired")}
    assert required == {"reported_by", "locality", "incident_date", "summary"}
    assert fields["incident_date"]["type"] == "Input.Date"
    assert fields["summary"]["maxLength"] == 600 and fields["summary"]["isMultiline"]
    assert "No names, NHS numbers" in fields["summary"]["placeholder"]
    assert {c["value"] for c in fields["locality"]["choices"]} == set(REF.localities)
    for key in ("specialist_commissioned", "media_interest", "confirm_no_patient_data"):
        assert fields[key]["type"] == "Input.Toggle"
        assert (fields[key]["valueOn"], fields[key]["valueOff"]) == ("true", "false")
    [submit] = card["actions"]
    assert submit["verb"] == "intake_submit" and submit["title"] == "Log incident"
    assert not flagged(card)


def test_intake_form_with_errors_keeps_values_and_shows_messages() -> None:
    values = {"steis_number": "2026/1301", "reported_by": "Riverside Trust", "locality": "Devon",
              "incident_date": "2026-12-03", "summary": "Fell twice.", "media_interest": True}
    errors = {"incident_date": "Can't be in the future.", "summary": "Too vague.",
              "body": "Something else went wrong."}
    card = intake_card(REF, values, errors)
    assert_valid_card(card, "intake with errors")
    fields = inputs(card)
    assert fields["steis_number"]["value"] == "2026/1301"
    assert fields["locality"]["value"] == "devon"  # a name the tracker knows becomes its key
    assert fields["incident_date"]["value"] == "2026-12-03"
    assert fields["summary"]["value"] == "Fell twice."
    assert fields["media_interest"]["value"] == "true"
    assert fields["specialist_commissioned"]["value"] == "false"
    red = flagged(card)
    assert red[-2:] == ["Can't be in the future.", "Too vague."]
    body = card["body"]
    top = body[1]
    assert top["type"] == "Container" and top["style"] == "attention"
    assert "2 answers" in top["items"][1]["text"]
    assert "Body: Something else went wrong." in top["items"][1]["text"]
    # each message sits right under its input
    ids = [n.get("id") or text_of(n) for n in body]
    assert ids.index("Too vague.") == ids.index("summary") + 1


def test_case_list() -> None:
    card = CARDS["case_list"]
    shown = [v for v in VIEWS.values() if not v.case.closed]
    rows = [n for n in card["body"] if n["type"] == "Container"]
    assert len(rows) == len(shown)
    for row, view in zip(rows, shown, strict=True):
        assert row["items"][0]["text"] == f"Case {view.case.number} · {view.locality_name}"
        [button] = of_type(row, "Action.Execute")
        assert button["title"] == "Open" and button["verb"] == CardVerb.SHOW_CASE
        assert button["data"]["case"] == view.case.number
    assert "3 more not shown." in texts(card)
    assert "No cases." in texts(CARDS["case_list_empty"])


@pytest.mark.parametrize("name", sorted(CARDS))
def test_no_card_colours_text_that_a_teams_theme_makes_faint(name: str) -> None:
    """Good and Warning text fail WCAG contrast on white, Attention on the dark theme: a tone is
    shown as a tinted strip (cards.components.flag). tests/test_card_a11y.py checks the render."""
    coloured = [n["text"] for n in of_type(CARDS[name], "TextBlock")
                if n.get("color") not in (None, "Default", "Accent")]
    assert not coloured


def test_notice_tones() -> None:
    assert CARDS["notice_error"]["body"][0]["style"] == "attention"
    assert CARDS["notice_done"]["body"][0]["style"] == "good"
    assert flagged(CARDS["notice_done"], "good") == ["Case 14 sent to Path 1"]
    plain = notice_card("Done", "All good.", [("Case", "12")])
    assert plain["body"][0]["type"] == "TextBlock" and "color" not in plain["body"][0]
    assert plain["body"][2]["facts"] == [{"title": "Case", "value": "12"}]


def test_samples_cli_writes_every_card(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    samples.main(["--out", str(tmp_path / "cards")])
    written = {p.stem: json.loads(p.read_text("utf-8")) for p in (tmp_path / "cards").iterdir()}
    assert written == CARDS

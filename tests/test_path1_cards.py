"""Path 1 cards: what each state offers, the forms' inputs, the read-only closed record, the
agenda grouping and the reminder's Snooze. (Every sample is also schema-checked and rendered by
tests/test_cards.py and tests/test_card_render.py.)"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from cards import samples
from cards.agenda import OVERDUE, agenda_groups, is_late
from cards.path1_samples import path1_views
from cards.reminder import snooze_label
from tests.test_cards import flagged, inputs, of_type, text_of, texts, titles, walk
from tracker.deadlines import WorkingDays
from tracker.reference import Reference
from tracker.views import case_view

REF = Reference.load()
CARDS = samples.sample_cards()
VIEWS = {**samples.sample_views(REF), **path1_views(REF)}
Json = dict[str, Any]


def show_cards(card: Json) -> dict[str, Json]:
    return {a["title"]: a["card"] for a in card["actions"] if a["type"] == "Action.ShowCard"}


def verbs(card: Json) -> list[str]:
    return [a["verb"] for a in of_type(card, "Action.Execute")]


def test_awaiting_the_panel_offers_every_decision() -> None:
    card = CARDS["case_path1_panel"]
    assert titles(card)[:1] == ["Panel decision"] and "Refresh" in titles(card)
    panel = show_cards(card)["Panel decision"]
    fields = inputs(panel)
    assert [c["title"] for c in fields["panel_type"]["choices"]] == [
        "Rapid review", "CSPR", "SAR", "DHR", "DHR (child, 16-17)", "No review"]
    assert fields["panel_type"]["isRequired"] and fields["panel_on"]["value"] == "2026-11-27"
    assert "panel_reason" in fields
    assert verbs(panel) == ["panel_decision"]
    assert "upd_stage" not in inputs(card)  # a stage comes once a review is agreed


def test_a_rapid_review_can_be_converted() -> None:
    panel = show_cards(CARDS["case_rapid_review"])["Panel decision"]
    choices = [c["value"] for c in inputs(panel)["panel_type"]["choices"]]
    assert choices == ["cspr", "sar", "dhr", "dhr_child", "no_review"]
    assert any("converted" in t for t in texts(panel))


def test_a_review_in_progress_offers_the_record_forms_and_closing() -> None:
    card = CARDS["case_review_full"]
    assert [a["title"] for a in card["actions"]] == [
        "Update", "Actions", "Notes", "Briefing", "Close"]
    forms = show_cards(card)
    update = inputs(forms["Update"])
    assert update["upd_stage"]["value"] == "analysis"
    assert [c["value"] for c in update["upd_stage"]["choices"]] == [
        o.key for o in REF.options["review_stages"]]  # option lists come from the data file
    assert (update["upd_theme_1"]["value"], update["upd_theme_2"]["value"]) == (
        "domestic", "psychological")
    assert "upd_theme_3" in update and "value" not in update["upd_theme_3"]
    assert update["upd_partnership_board"]["value"] == "Devon Community Safety Partnership"
    assert (update["upd_incident_date"]["value"], update["upd_date_added"]["value"]) == (
        "2026-05-28", "2026-06-02")
    assert verbs(forms["Actions"]) == ["add_action", "action_status"]
    assert verbs(forms["Notes"]) == ["add_notes", "record_learning"]
    assert inputs(forms["Briefing"])["brief_media"]["value"] == "true"
    close = inputs(forms["Close"])
    assert [c["value"] for c in close["close_outcome"]["choices"]] == [
        "published", "embargoed", "not_for_publication"]
    assert "close_qa_on" in close  # a DHR needs its Home Office QA date
    assert {"close_url", "close_on", "close_signed_off", "close_until", "close_reason"} <= \
        set(close)


def test_the_review_record_is_on_the_card() -> None:
    shown = texts(CARDS["case_review_full"])
    facts = {f["title"]: f["value"] for fs in of_type(CARDS["case_review_full"], "FactSet")
             for f in fs["facts"]}
    assert facts["Theme 1"] == "Domestic abuse" and facts["Theme 2"].startswith("Psychological")
    assert facts["Comms briefed"] == "25 Nov 2026 by Jo Patel · media attention likely"
    assert facts["Last ICS discussion"] == "18 Nov 2026 (Jo Patel)"
    late = [t for t in flagged(CARDS["case_review_full"])
            if t.startswith("1. Audit routine enquiry")]
    assert late[0].endswith("(overdue)")
    assert "2. Update the information-sharing protocol · Jo Patel, due 31 Jan 2027 · " \
           "In progress" in shown
    assert "1. Routine enquiry about domestic abuse in maternity contacts." in shown
    assert "Professional curiosity; Information sharing" in shown
    assert "7-minute briefing, 03 Nov 2026, GP practices in the ICB" in shown


def test_input_ids_are_unique_across_every_form() -> None:
    ids = [n["id"] for n in walk(CARDS["case_review_full"]) if "id" in n]
    assert len(ids) == len(set(ids))


def test_a_closed_review_shows_its_record_read_only() -> None:
    for name in ("case_closed_published", "case_closed_not_published"):
        card = CARDS[name]
        assert "actions" not in card and not inputs(card), name
        assert not [n for n in walk(card) if n["type"].startswith("Action.")], name
    card = CARDS["case_closed_embargoed"]
    facts = {f["title"]: f["value"] for fs in of_type(card, "FactSet") for f in fs["facts"]}
    assert facts["Embargoed until"] == "01 Mar 2027"
    assert "deadline" not in text_of(card["body"][1])  # a closed case runs no clocks
    # An embargoed review offers one thing: recording the publication when the embargo ends.
    assert [a["title"] for a in card["actions"]] == ["Published"]
    [button] = [n for n in walk(card) if n["type"] == "Action.Execute"]
    assert button["data"]["close_outcome"] == "published" and button["verb"] == "close_case"
    assert set(inputs(card)) == {"close_url", "close_on", "close_no_briefing"}  # signed off


def test_agenda_puts_overdue_first_then_groups_by_stage() -> None:
    views = [VIEWS["case_rapid_review"], VIEWS["case_review_full"], VIEWS["case_review"],
             VIEWS["case_path1_panel"]]
    groups = [(name, [v.case.number for v in vs]) for name, vs in agenda_groups(views)]
    assert groups[0] == (OVERDUE, [22, 9])
    assert groups[1:] == [("Awaiting panel decision", [15]), ("Rapid Review in progress", [21])]
    card = CARDS["agenda"]
    rows = [n for n in card["body"] if n["type"] == "Container"]
    discussed = [a for r in rows for a in of_type(r, "Action.ShowCard")]
    assert [a["title"] for a in discussed] == ["Discussed", "Discussed"]
    form = discussed[0]["card"]
    assert set(inputs(form)) == {"discussed_on_22", "discussed_note_22"}
    [record] = of_type(form, "Action.Execute")
    assert record["data"] == {"verb": "discussed", "case": 22, "version": 17,
                              "locality": "devon"}
    assert "No open case reviews to discuss." in texts(CARDS["agenda_empty"])


def test_an_overdue_action_alone_makes_a_case_late() -> None:
    view = VIEWS["case_review_full"]
    case = copy.deepcopy(view.case)  # the samples are shared by every test here
    case.review_started_on = date(2026, 11, 1)
    only_action = case_view(case, REF, view.today, WorkingDays())
    assert not only_action.overdue and is_late(only_action)
    case.actions[0].status = "complete"
    assert not is_late(case_view(case, REF, view.today, WorkingDays()))


def test_overdue_list_groups_by_locality() -> None:
    shown = texts(CARDS["overdue_list"])
    assert "NHS Devon ICB (1)" in shown
    assert "Action 1: due 01 Nov 2026" in shown


def test_reminders_offer_snooze_and_open() -> None:
    clock = CARDS["reminder_clock"]
    assert texts(clock)[:2] == ["Reminder · case 22", "DHR completion is overdue"]
    snooze, open_ = of_type(clock, "Action.Execute")
    assert snooze["data"] == {"verb": "snooze_reminder", "case": 22,
                              "kind": "clock:dhr_completion"}
    assert open_["verb"] == "show_case"
    assert snooze["title"] == "Snooze 1 day"  # timescales.json reminders.snooze_hours = 24
    assert (snooze_label(48), snooze_label(4)) == ("Snooze 2 days", "Snooze 4 hours")
    action = CARDS["reminder_action"]
    assert texts(action)[1] == "Action 1 is overdue"
    facts = {f["title"]: f["value"] for fs in of_type(action, "FactSet") for f in fs["facts"]}
    assert facts == {"Action": "Audit routine enquiry in maternity", "Owner": "Sam Taylor",
                     "Due": "01 Nov 2026", "Status": "Open"}

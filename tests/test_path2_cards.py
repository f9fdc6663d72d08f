"""Issue 4's cards: the escalation card in the thread, the 1:1 acknowledgement card (narrow, for
Teams mobile), and the Path 2 controls on the case card."""

from __future__ import annotations

from typing import Any

from cards import samples
from cards.path2_samples import sample_escalations
from tests.support.card_schema import assert_valid_card
from tests.test_cards import inputs, of_type, texts, titles, walk

CARDS = samples.sample_cards()
Json = dict[str, Any]


def facts_of(card: Json) -> dict[str, str]:
    return {f["title"]: f["value"] for fs in of_type(card, "FactSet") for f in fs["facts"]}


def test_the_thread_card_mentions_everyone_addressed_with_real_entities() -> None:
    card = CARDS["escalation_media"]
    esc = sample_escalations()["media"]
    entities = card["msteams"]["entities"]
    assert [e["mentioned"]["id"] for e in entities] == [r.teams_id for r in esc.recipients]
    shown = "\n".join(texts(card))
    for e in entities:
        assert e["type"] == "mention" and e["text"] == f"<at>{e['mentioned']['name']}</at>"
        assert e["text"] in shown
    assert "1 of 5 acknowledged" in shown
    assert "Acknowledged 26 Nov 2026 10:14" in shown and shown.count("Waiting") == 4
    assert "<at>Ria Das</at> · Specialist commissioned communications lead" in shown
    [button] = of_type(card, "Action.Execute")
    assert button["title"] == "Acknowledge"
    assert button["data"] == {"verb": "ack", "case": 18, "esc": 1}


def test_the_thread_card_names_gaps_and_the_regional_step() -> None:
    shown = "\n".join(texts(CARDS["escalation_gap"]))
    assert "Nobody holds: Medical director, Communications lead." in shown
    assert "passed to the regional safeguarding lead" in shown
    done = CARDS["escalation_acknowledged"]
    assert "1 of 1 acknowledged" in "\n".join(texts(done))
    assert not [n for n in walk(done) if n["type"].startswith("Action.")]


def test_the_one_to_one_card_is_small_and_only_for_its_addressee() -> None:
    card = CARDS["ack_waiting"]
    assert "msteams" not in card  # default (narrow) width: reads on a phone
    assert not of_type(card, "Table", "ColumnSet", "Image")
    facts = facts_of(card)
    assert facts["Case"] == "18" and facts["Your role"] == "Director of nursing"
    assert facts["Reason"].startswith("Possible media interest")
    [button] = of_type(card, "Action.Execute")
    tom = sample_escalations()["media"].recipients[1]
    assert button["data"] == {"verb": "ack", "case": 18, "esc": 1, "who": tom.aad_id}
    assert all(len(t) <= 12 for t in titles(card))
    done = CARDS["ack_done"]
    assert "Acknowledged by Priya Shah at 26 Nov 2026 10:14" in texts(done)
    assert "actions" not in done


def test_a_path2_case_offers_the_record_media_escalation_and_learning_forms() -> None:
    card = CARDS["case_path2_escalated"]
    assert [a["title"] for a in card["actions"]] == [
        "Update record", "Media interest", "Escalate", "Learning shared", "Close"]
    verbs = {a["verb"] for a in of_type(card, "Action.Execute")}
    assert verbs == {"path2_record", "flag_media", "escalate", "record_learning", "close_case",
                     "move_to_path1"}
    fields = inputs(card)
    assert fields["p2_framework"]["value"] == "sif_2015"
    assert fields["p2_report_72h_on"]["value"] == "2026-11-26"
    assert fields["p2_specialist"]["value"] == "true"
    assert fields["esc_level"]["isRequired"] and fields["esc_reason"]["isRequired"]
    assert {"media_note", "media_confirmed", "learn_kind", "learn_on", "learn_audience",
            "close_outcome", "close_reason"} <= set(fields)
    assert [c["value"] for c in fields["close_outcome"]["choices"]] == [
        "completed", "de_logged", "no_further_action"]  # from tracker/data/options.json
    shown = "\n".join(texts(card))
    assert "Media interest 1: 1 of 5 acknowledged" in shown
    assert "Learning: 7-minute briefing, 26 Nov 2026 (regional)" in shown
    assert facts_of(card)["72-hour report received"] == "26 Nov 2026"


def test_a_closed_si_case_still_records_learning() -> None:
    card = CARDS["case_closed_si"]
    assert [a["title"] for a in card["actions"]] == ["Learning shared"]
    assert set(inputs(card)) == {"learn_kind", "learn_on", "learn_audience"}


def test_every_path2_card_is_a_valid_teams_card() -> None:
    for name in ("escalation_media", "escalation_gap", "escalation_acknowledged", "ack_waiting",
                 "ack_done", "case_path2_escalated", "case_closed_si", "case_path2"):
        assert_valid_card(CARDS[name], name)

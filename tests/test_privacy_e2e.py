"""The patient data guard end to end, as Teams drives the bot and as a flow posts to the intake
API: the issue's sentences are refused or confirmed, echoes are masked, intake masks and says
so in the thread, and no NHS number of the corpus reaches the database, the Connector or the
logs."""

from __future__ import annotations

import json
import logging
import re

import pytest
from sqlalchemy import select

from bench.privacy_bench import corpus
from storage.tables import metadata
from tests.support.emulator import adaptive_card
from tests.support.harness import Driver, card_text
from tests.test_foundation_e2e import INCIDENT, intake
from tests.test_privacy_detector import CLEAN, CONFIRM

pytestmark = pytest.mark.e2e

ISSUE_NHS = ["NHS 943.476.5919", "number 4518 471 563", "NHS 943–476–5919",
             "NHS 943\u00a0476\u00a05919", "NHS 943 - 476 - 5919", "NHS 943/476/5919",
             "see https://reports.example.org/r?p=943%20476%205919"]


def digits_pattern(number: str) -> re.Pattern[str]:
    """The ten digits with anything but a digit between them (any grouping, any separator,
    percent-encoded too)."""
    return re.compile(r"(?:\D{0,9})".join(number))


async def new_case(teams: Driver, steis: str, summary: str = INCIDENT["summary"]) -> int:
    status, body = await intake(teams, {**INCIDENT, "steis_number": steis, "summary": summary})
    assert status == 201, body
    return int(body["case_number"])


async def test_the_issues_sentences_are_refused_or_confirmed_and_clean_ones_saved(
        teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    n = await new_case(teams, "2026/5001")
    for text in ISSUE_NHS:
        answer = await teams.say(f"note case {n} {text}", "Lena Lead")
        said = answer.body["text"]
        assert "contains an NHS number" in said and "delete your own message" in said, said
        assert "476" not in said
    for text, kind in CONFIRM.items():
        answer = await teams.say(f"note case {n} {text}", "Lena Lead")
        card = adaptive_card(answer.body)
        assert card is not None, (text, answer.body)
        said = card_text(card)
        assert "Save anyway" in said and "The comment looks like it contains" in said
        label = {"name": "a person's name", "date_of_birth": "a date of birth",
                 "phone": "a phone number", "email": "an e-mail address",
                 "address": "a street address", "postcode": "a postcode"}[kind]
        assert label in said, (text, said)
        for word in re.findall(r"[A-Z][a-z]+|\d{3,}|\S+@\S+", text):
            if word not in ("Mother", "Mrs", "Referred", "Call", "Email", "Lives", "Flat",
                            "Postcode", "Dr", "John"):
                assert word not in said, (word, said)
    assert (await teams.bot.services.service.peek(n)).comments == []
    for text in CLEAN:
        answer = await teams.say(f"note case {n} {text}", "Lena Lead")
        assert adaptive_card(answer.body) is None or "Save anyway" not in card_text(
            adaptive_card(answer.body) or {}), text
    saved = [c.text for c in (await teams.bot.services.service.peek(n)).comments]
    assert saved == CLEAN


async def test_echoes_are_masked(teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    answer = await teams.say("frobnicate 283.959.8132", "Lena Lead")
    assert "contains an NHS number" in answer.body["text"]
    assert "959" not in answer.body["text"]
    answer = await teams.say("frobnicate Mother Sarah Jones on 07700 900123", "Lena Lead")
    said = answer.body["text"]
    assert "don't understand" in said and "Sarah" not in said and "900123" not in said
    assert "[name]" in said


async def test_an_intake_naming_a_child_is_taken_in_masked_and_the_thread_says_so(
        teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    summary = "Amira Hussain, aged 14, disclosed at school; mum on 07700 900123"
    status, body = await intake(teams, {**INCIDENT, "steis_number": "2026/5002",
                                        "summary": summary})
    assert status == 201
    assert body["masked"] == {"summary": ["phone", "name"]}
    n = body["case_number"]
    case = await teams.bot.services.service.peek(n)
    assert case.summary == "[name], aged 14, disclosed at school; mum on [phone]"
    root = await teams.thread_of_case(n)
    assert "Amira" not in json.dumps(root.body)

    def note() -> object:
        return next((c for c in teams.emu.messages() if c.kind == "reply"
                     and "masked" in str(c.activity.get("text"))), None)
    reply = await teams.emu.wait_for(note, timeout=10, message="the masking note")
    text = reply.activity["text"]  # type: ignore[attr-defined]
    assert "Patient details were masked" in text and "a phone number and a person's name" in text
    assert "Amira" not in text and "900123" not in text
    # A clean intake says nothing about masking.
    status, body = await intake(teams, {**INCIDENT, "steis_number": "2026/5003"})
    assert status == 201 and "masked" not in body


async def test_no_nhs_number_of_the_corpus_is_stored_sent_or_logged(
        teams: Driver, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    rows = [str(r["text"]) for r in corpus() if "nhs_number" in r["kinds"]]  # type: ignore[operator]
    numbers = set()
    for text in rows:
        for m in re.finditer(r"\d[\d\s\u00a0\u2009\u2011.%/–-]{8,20}\d", text):
            digits = re.sub(r"%[0-9A-F]{2}", " ", m.group(0))
            digits = "".join(c for c in digits if c.isdigit())
            if len(digits) == 10:
                numbers.add(digits)
            elif len(digits) == 20:  # "821 237 8993 / 300 245 8929"
                numbers.update((digits[:10], digits[10:]))
    assert len(numbers) >= 25
    await teams.setup_team("Lena Lead")
    n = await new_case(teams, "2026/5004")
    root = (await teams.thread_of_case(n)).activity_id
    for i, text in enumerate(rows):
        await teams.say(f"note case {n} {text}", "Lena Lead")  # a command
        await teams.say(text, "Lena Lead")  # not a command: echoed back
        status, _ = await teams.click("route_nfa", {"case": n, "version": 1,
                                                    "level": "case_review", "reason": text},
                                      "Lena Lead", reply_to=root)  # a card input
        assert status == 200
        status, body = await intake(teams, {**INCIDENT, "steis_number": f"2026/6{i:03}",
                                            "summary": text})  # the intake API masks
        assert status == 201 and "nhs_number" in body["masked"]["summary"], (text, body)

    stored = []
    async with teams.bot.services.engine.connect() as conn:
        for table in metadata.sorted_tables:
            stored += [repr(tuple(row)) for row in await conn.execute(select(table))]
    places = {
        "database": "\n".join(stored),
        "Connector calls": "\n".join(json.dumps(c.body, ensure_ascii=False)
                                     for c in teams.emu.calls),
        "logs": "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records),
    }
    assert "[NHS number removed]" in places["database"]
    for where, text in places.items():
        for number in numbers:
            assert not digits_pattern(number).search(text), (number, where)


async def test_an_nhs_number_in_an_action_name_or_a_link_is_refused(teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    n = await new_case(teams, "2026/5005")
    root = (await teams.thread_of_case(n)).activity_id
    status, body = await teams.click("route_943-476-5919", {"case": n, "version": 1},
                                     "Lena Lead", reply_to=root)
    assert status == 200 and "contains an NHS number" in str(body["value"])
    assert "5919" not in json.dumps(body)
    answer = await teams.say(f"close case {n} published https://example.org/r?id=943%2E476%2E5919",
                             "Lena Lead")
    assert "contains an NHS number" in answer.body["text"]
    assert "%2E" not in answer.body["text"] and "5919" not in answer.body["text"]

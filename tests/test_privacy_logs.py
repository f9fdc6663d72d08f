"""Logs never contain free text from cases: a whole journey with distinctive text, every log
record captured at DEBUG from every logger, and none of that text in any of them."""

from __future__ import annotations

import logging

import pytest

from tests.support.harness import Driver
from tests.test_foundation_e2e import INCIDENT, intake

pytestmark = pytest.mark.e2e

SUMMARY = "Quokka-zebra 7781 fell from a window at the respite unit"
REASON = "Marmoset-otter 5522 single-agency learning only"
NOTE = "Pangolin-heron 3390 discussed with the family"
NHS = "943 476 5919"


async def test_no_case_free_text_reaches_the_logs(teams: Driver,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await teams.setup_team("Lena Lead")
    status, body = await intake(teams, {**INCIDENT, "summary": SUMMARY})
    assert status == 201
    n = body["case_number"]
    root = (await teams.thread_of_case(n)).activity_id
    await teams.say(f"case {n}", "Lena Lead")
    await teams.say(f"note case {n} {NOTE}", "Lena Lead")
    await teams.say(f"note case {n} NHS {NHS} {NOTE}", "Lena Lead")
    await teams.say(f"frobnicate {NOTE}", "Lena Lead")  # unknown command, echoed to the user
    status, _ = await teams.click("route_nfa", {"case": n, "version": 1, "level": "case_review",
                                                "reason": REASON}, "Lena Lead", reply_to=root)
    assert status == 200
    await teams.say(f"history case {n}", "Lena Lead")
    status, body = await intake(teams, {**INCIDENT, "steis_number": "2026/7777",
                                        "summary": f"{SUMMARY} NHS {NHS}"})
    assert status == 201 and body["masked"] == {"summary": ["nhs_number"]}
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert caplog.records, "the journey should have logged something"
    for secret in (SUMMARY, "Quokka", REASON, "Marmoset", NOTE, "Pangolin", NHS, "4765919"):
        assert secret not in logged, secret

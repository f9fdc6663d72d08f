"""Issue 12 end to end, over real HTTP as Teams drives the bot (the Bot Connector emulator):
every case reaches its end on the right clocks, and what people read is plain English.

- A Path 2 case closes with `close case N completed <reason>`: its card reads Closed, a notice
  is posted, and it leaves `overdue`.
- Another Path 2 case moves to Path 1 (the card's "Move to Path 1") and gets its panel
  decision.
- A child's case sent to Path 1 shows its SIN due date at once, before any panel decision, and
  a reminder arrives before that date.
- An embargoed review with an end date is reminded after it.
- `history case N` shows no snake_case keys and no internal codes; `help` no raw tags and no
  HTML entities; the welcome says to @mention the bot; `roles` knows the ICB of a closed case.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from teams_bot.outbound import reminders
from tests.support.emulator import Call, adaptive_card, mentioned_ids
from tests.support.harness import Driver, card_text, card_title
from tests.test_foundation_e2e import INCIDENT, intake
from tests.test_path1_e2e import button, elements, form, live_card, thread_replies, version

pytestmark = pytest.mark.e2e
SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
CODES = ("psii", "south-yorkshire", "steis:", "path2", "path1", "director_commissioning_ops",
         "sif_2015", "case_review", "closed_si")


async def new_case(teams: Driver, steis: str, **extra: Any) -> tuple[int, str]:
    status, body = await intake(teams, {**INCIDENT, "steis_number": steis, **extra})
    assert status == 201, body
    n = body["case_number"]
    return n, (await teams.thread_of_case(n)).activity_id


async def to_path2(teams: Driver, n: int, root: str, framework: str = "") -> None:
    status, body = await teams.click("route_path2", {"case": n, "version": 1, "level": "psii"},
                                     "Lena Lead", reply_to=root)
    assert status == 200 and "Path 2" in card_text(body["value"]), body
    if framework:
        answer = await teams.say(f"path2 case {n} framework {framework}", "Lena Lead")
        assert answer.body["text"] == f"Case {n} updated: framework.", answer.body


def overdue_numbers(call: Call) -> set[int]:
    card = adaptive_card(call.body)
    text = card_text(card) if card else call.body.get("text", "")
    return {int(x) for x in re.findall(r"Case (\d+) ·", text)}


async def test_a_path2_case_closes_with_a_reason_and_leaves_overdue(teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    await teams.say("role designated lead <at>Dev Designated</at> for South Yorkshire",
                    "Lena Lead", mentions=("Dev Designated",))
    n, root = await new_case(teams, "2026/6101", locality="South Yorkshire")
    await to_path2(teams, n, root, "SIF 2015")
    # The SIF 2015 investigation clock (60 working days) runs out: the case is overdue.
    teams.bot.clock.advance(days=100)
    assert n in overdue_numbers(await teams.say("overdue", "Lena Lead"))

    # Bad outcomes and people without the role change nothing.
    before = await version(teams, n)
    answer = (await teams.say(f"close case {n} finished", "Lena Lead")).body["text"]
    assert "Say how case" in answer and "de-logged" in answer
    answer = (await teams.say(f"close case {n} published https://example.org/r",
                              "Lena Lead")).body["text"]
    assert "Only a case review in progress" in answer
    answer = (await teams.say(f"close case {n} completed done", "Nora Norole")).body["text"]
    assert "role" in answer
    assert await version(teams, n) == before

    answer = await teams.say(f"close case {n} completed Investigation report accepted by the "
                             "ICB", "Dev Designated")
    assert answer.body["text"] == (f"Case {n} closed: completed: Investigation report accepted "
                                   "by the ICB.")
    await teams.emu.wait_for(lambda: "Closed" in card_text(teams.emu.last_card(root)),
                             message="the thread's card reads Closed")
    closed = teams.emu.last_card(root)
    text = card_text(closed)
    assert "Closed: SI response complete" in text and "Outcome\nCompleted" in text
    assert not [e for e in elements(closed) if e["type"] == "Action.Execute"
                and e["verb"] == "close_case"]
    notice = await teams.emu.wait_for(lambda: [c for c in thread_replies(teams, root)
                                               if f"Case {n} is closed (completed" in
                                               (c.body.get("text") or "")],
                                      message="the closing notice")
    assert "Investigation report accepted" in notice[0].body["text"]
    assert n not in overdue_numbers(await teams.say("overdue", "Lena Lead"))

    # `roles` knows the ICB of a case that exists, closed or not.
    roles = (await teams.say("roles", "Lena Lead")).body["text"]
    assert "No ICB is in use yet" not in roles and "NHS South Yorkshire ICB" in roles

    # Reopening works for a Path 2 case, and the Close form on its card closes it again.
    answer = await teams.say(f"reopen case {n} coroner asked for more", "Lena Lead")
    assert answer.body["text"] == f"Case {n} reopened."
    card = await live_card(teams, n, root)
    data = {**button(card, "close_case")["data"], **form(card, "Close"),
            "close_outcome": "de_logged", "close_reason": "Not a serious incident after review"}
    status, body = await teams.click("close_case", data, "Lena Lead", reply_to=root)
    assert status == 200, body
    assert f"Case {n} closed: de-logged: Not a serious incident" in card_text(body["value"])


async def test_a_path2_case_moves_to_path1_and_gets_its_panel_decision(teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    await teams.say("role panel member <at>Pat Panel</at> for Devon", "Lena Lead",
                    mentions=("Pat Panel",))
    n, root = await new_case(teams, "2026/6102")
    await to_path2(teams, n, root)
    card = await live_card(teams, n, root)
    data = {**button(card, "move_to_path1")["data"], **form(card, "Close"),
            "close_reason": "The adults board agreed a SAR"}
    status, body = await teams.click("move_to_path1", data, "Pat Panel", reply_to=root)
    assert "role" in str(body["value"]) or "only" in str(body["value"])  # panel can't route
    status, body = await teams.click("move_to_path1", data, "Lena Lead", reply_to=root)
    assert status == 200 and f"Case {n} is now on Path 1" in card_text(body["value"]), body
    await teams.emu.wait_for(lambda: "awaiting panel decision" in
                             card_text(teams.emu.last_card(root)),
                             message="the thread card on Path 1")
    kept = card_text(teams.emu.last_card(root))
    assert "StEIS 2026/6102" in kept and "Framework\nPSIRF" in kept  # the record stayed
    await teams.emu.wait_for(lambda: [c for c in thread_replies(teams, root)
                                      if "moved from Path 2 to Path 1" in
                                      (c.body.get("text") or "")], message="the move notice")
    answer = await teams.say(f"panel case {n} sar", "Pat Panel")
    assert f"Case {n}: panel decision recorded: SAR" in answer.body["text"]
    await teams.emu.wait_for(lambda: "Review type\nSAR" in card_text(teams.emu.last_card(root)),
                             message="the card shows the SAR")
    answer = await teams.say(f"path1 case {n} again", "Lena Lead")
    assert "Only a case on Path 2 moves" in answer.body["text"]
    history = card_text(adaptive_card((await teams.say(f"history case {n}", "Lena Lead")).body))
    assert "Moved to Path 1" in history and "Route: Path 2 (SI framework / PSIRF) → Path 1" in \
        history


async def test_a_childs_case_runs_the_sin_clock_at_once_and_is_reminded_before_it(
        teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    await teams.say("role designated lead <at>Dev Designated</at> for Devon", "Lena Lead",
                    mentions=("Dev Designated",))
    dev = teams.user("Dev Designated")
    status, body = await intake(teams, {**INCIDENT, "steis_number": "2026/6199",
                                        "age_group": "teenager"})
    assert status == 400 and "child or adult" in body["errors"]["age_group"], body
    n, root = await new_case(teams, "2026/6103", age_group="child")
    assert n == 1  # the refused body stored nothing
    status, body = await teams.click("route_path1", {"case": n, "version": 1,
                                                     "level": "case_review"},
                                     "Lena Lead", reply_to=root)
    shown = card_text(body["value"])
    # Tue 24 Nov + 5 working days = Tue 1 Dec, on the card before any panel decision.
    assert "awaiting panel decision" in shown.lower()
    assert "SIN notification: 01 Dec 2026, 7 days left" in shown
    assert "Concerns\nA child (under 18)" in shown
    await teams.emu.wait_for(lambda: "SIN notification: 01 Dec 2026" in
                             card_text(teams.emu.last_card(root)), message="the thread card")

    def reminders_in_thread() -> list[Call]:
        return [c for c in thread_replies(teams, root) if (rc := adaptive_card(c.body))
                and card_title(rc) == f"Reminder · case {n}"]
    await reminders.tick(teams.bot.services)
    assert not reminders_in_thread()
    teams.bot.clock.set(datetime(2026, 11, 27, 10, 0, tzinfo=UTC))  # Fri: 2 working days before
    await reminders.tick(teams.bot.services)
    [soon] = await teams.emu.wait_for(reminders_in_thread, message="the reminder before")
    text = card_text(adaptive_card(soon.body))
    assert "SIN notification is due soon" in text and "01 Dec 2026, 4 days left" in text
    assert mentioned_ids(soon.body) & {dev.id, dev.aad_object_id}
    assert "2 working days left" in soon.body["text"]


async def test_an_embargoed_review_is_reminded_after_its_end_date(teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    n, root = await new_case(teams, "2026/6104")
    await teams.click("route_path1", {"case": n, "version": 1, "level": "case_review"},
                      "Lena Lead", reply_to=root)
    await teams.say(f"panel case {n} cspr", "Lena Lead")
    await teams.say(f"update case {n} sin notified 2026-11-24", "Lena Lead")
    answer = await teams.say(f"close case {n} embargoed until 2026-12-10 Criminal trial",
                             "Lena Lead")
    assert answer.body["text"] == f"Case {n} closed: embargoed until 10 Dec 2026: Criminal trial."

    def embargo_reminders() -> list[Call]:
        return [c for c in thread_replies(teams, root) if (rc := adaptive_card(c.body))
                and "The embargo has ended" in card_text(rc)]
    teams.bot.clock.set(datetime(2026, 12, 10, 15, 0, tzinfo=UTC))
    await reminders.tick(teams.bot.services)
    assert not embargo_reminders()
    teams.bot.clock.set(datetime(2026, 12, 11, 9, 30, tzinfo=UTC))  # the day after
    await reminders.tick(teams.bot.services)
    [sent] = await teams.emu.wait_for(embargo_reminders, message="the embargo reminder")
    assert f"`close case {n} published`" in sent.body["text"]
    answer = await teams.say(f"close case {n} published https://example.org/r.pdf",
                             "Lena Lead")
    assert "signed-off" in answer.body["text"]  # the record still needs its sign-off date
    # The embargoed card's one form records the publication.
    card = await live_card(teams, n, root)
    assert [a["title"] for a in card["actions"]] == ["Published"]
    data = {**button(card, "close_case")["data"], **form(card, "Published"),
            "close_url": "https://example.org/r.pdf", "close_signed_off": "2026-12-01"}
    status, body = await teams.click("close_case", data, "Lena Lead", reply_to=root)
    assert "No pre-publication briefing is recorded" in card_text(body["value"])
    data["close_no_briefing"] = "true"
    status, body = await teams.click("close_case", data, "Lena Lead", reply_to=root)
    assert f"Case {n} closed: published on 11 Dec 2026" in card_text(body["value"])
    await teams.emu.wait_for(lambda: "Closed: published" in card_text(teams.emu.last_card(root)),
                             message="the card reads published")


async def test_history_and_help_are_plain_english(teams: Driver) -> None:
    install = len(teams.emu.calls)
    await teams.install()
    welcome = await teams.emu.wait_for(
        lambda: [c for c in teams.emu.calls[install:] if "Hello" in str(c.body.get("text"))],
        message="the welcome")
    assert "@mention me" in welcome[0].body["text"]
    await teams.setup_team("Lena Lead")
    await teams.say("role director of commissioning operations <at>Dee Jones</at> for South "
                    "Yorkshire", "Lena Lead", mentions=("Dee Jones",))
    n, root = await new_case(teams, "2026/12346", locality="South Yorkshire")
    await to_path2(teams, n, root, "SIF 2015")
    await teams.say(f"media case {n} local paper called", "Lena Lead")
    await teams.say(f"path2 case {n} investigation 2027-03-01", "Lena Lead")
    await teams.say(f"close case {n} no further action agreed with the ICB", "Lena Lead")

    history = adaptive_card((await teams.say(f"history case {n}", "Lena Lead")).body)
    text = card_text(history)
    for words in ("Route: Path 2 (SI framework / PSIRF)", "Locality: NHS South Yorkshire ICB",
                  "Identifiers: StEIS 2026/12346", "director of commissioning operations",
                  "Level of investigation: Patient safety incident investigation (PSII)",
                  "Investigation due: 01 Mar 2027", "Outcome: No further action"):
        assert words in text, (words, text)
    assert not SNAKE.findall(text), SNAKE.findall(text)
    assert not [c for c in CODES if c in text]  # lower-case codes, as stored
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # UK dates only

    help_text = (await teams.say("help", "Lena Lead")).body["text"]
    assert "close case *N* *outcome* [reason]" in help_text
    assert not re.search(r"<(?!/?at>)/?[A-Za-z][^<>]*>", help_text)
    assert not re.search(r"&(?:lt|gt|amp|quot|#\d+);", help_text)
    # An unknown command is echoed cut at a word boundary, never mid-link.
    link = "https://example.org/reviews/2026/cspr-child-d-final-report.pdf"
    answer = (await teams.say(f"look at {link} before the panel", "Lena Lead")).body["text"]
    assert "`look at…`" in answer and "example.org" not in answer

"""Issue 3 end to end, over real HTTP as Teams drives the bot: one case from intake through
Path 1, a CSPR, three stage updates, an action with an owner, an overdue reminder in its thread
(clock moved forward), the ICS agenda, the pre-publication briefing and `close case N
published`, to a closed card and a correct export row. Bad input along the way (an unknown
stage, no link, an edit on a closed case) gets a clear answer and changes nothing."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from teams_bot.outbound import reminders
from tests.support.emulator import Call, adaptive_card, mentioned_ids
from tests.support.harness import Driver, card_text, card_title
from tests.test_foundation_e2e import INCIDENT, intake
from tracker.export import HEADINGS

pytestmark = pytest.mark.e2e
REPORT = "https://example.org/reviews/cspr-child-d.pdf"


def elements(node: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if isinstance(node.get("type"), str):
            out.append(node)
        for key, value in node.items():
            if key not in ("data", "msteams", "fallback"):
                out += elements(value)
    elif isinstance(node, list):
        for value in node:
            out += elements(value)
    return out


def button(card: dict[str, Any], verb: str) -> dict[str, Any]:
    return next(e for e in elements(card) if e["type"] == "Action.Execute" and e["verb"] == verb)


def form(card: dict[str, Any], title: str) -> dict[str, Any]:
    """What a person sends from a ShowCard form without touching it: every input's value."""
    show = next(e for e in elements(card) if e["type"] == "Action.ShowCard" and e["title"] == title)
    return {e["id"]: e.get("value", "") for e in elements(show["card"])
            if e["type"].startswith("Input.")}


def thread_replies(teams: Driver, root: str) -> list[Call]:
    return [c for c in teams.emu.messages() if c.kind == "reply" and c.reply_to_id == root]


async def version(teams: Driver, number: int) -> int:
    return int((await teams.bot.services.service.peek(number)).version)


async def live_card(teams: Driver, number: int, root: str) -> dict[str, Any]:
    """The case's own card at the top of its thread, once it shows the current version."""
    now = await version(teams, number)

    def current() -> dict[str, Any] | None:
        card = teams.emu.last_card(root)
        versions = {e["data"].get("version") for e in elements(card or {})
                    if e["type"] == "Action.Execute"}
        return card if now in versions else None
    found = await teams.emu.wait_for(current, message="the thread card at the current version")
    assert found is not None
    return found


async def say_refused(teams: Driver, number: int, text: str, expect: str) -> str:
    """A command that must be refused: the answer says why, and the case is unchanged."""
    before = await version(teams, number)
    answer = (await teams.say(text, "Lena Lead")).body["text"]
    assert expect in answer, answer
    assert await version(teams, number) == before
    return str(answer)


async def test_path1_from_panel_decision_to_publication(teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    for role, name in (("designated lead", "Dev Designated"), ("panel member", "Pat Panel"),
                       ("comms lead", "Cora Comms")):
        answer = await teams.say(f"role {role} <at>{name}</at> for Devon", "Lena Lead",
                                 mentions=(name,))
        assert f"{name} is now" in answer.body["text"]
    dev, cora = teams.user("Dev Designated"), teams.user("Cora Comms")

    # Intake, its thread, Path 1 by a click.
    status, body = await intake(teams, {**INCIDENT, "steis_number": "2026/3141"})
    assert status == 201, body
    n = body["case_number"]
    root = (await teams.thread_of_case(n)).activity_id
    status, body = await teams.click("route_path1", {"case": n, "version": 1,
                                                     "level": "case_review"},
                                     "Dev Designated", reply_to=root)
    assert status == 200 and "Panel decision" in card_text(body["value"])

    # The panel's decision from the card: a CSPR. The thread's card updates in place.
    panel = body["value"]
    data = {**button(panel, "panel_decision")["data"], **form(panel, "Panel decision"),
            "panel_type": "cspr"}
    status, body = await teams.click("panel_decision", data, "Pat Panel", reply_to=root)
    assert "panel decision recorded: CSPR (panel 24 Nov 2026)" in card_text(body["value"])
    await teams.emu.wait_for(lambda: "Review type\nCSPR" in card_text(teams.emu.last_card(root)),
                             message="the card updated to the review")
    assert "Close case" in card_text(teams.emu.last_card(root))  # the Close form's button

    # The record by command: designated professional and SIN date; then three stage updates,
    # the middle one from the card's Update form.
    answer = await teams.say(f"update case {n} designated professional", "Lena Lead",
                             mentions=("Dev Designated",))
    assert "Dev Designated is now the designated professional" in answer.body["text"]
    answer = await teams.say(f"update case {n} sin notified 2026-11-24", "Lena Lead")
    assert answer.body["text"] == f"Case {n} updated: sin notified."
    answer = await teams.say(f"update case {n} stage scoping", "Dev Designated")
    assert answer.body["text"] == f"Case {n} updated: review stage."
    snapshot = adaptive_card((await teams.say(f"case {n}", "Dev Designated")).body)
    assert "Snapshot at" in card_text(snapshot) and "actions" not in snapshot  # no live buttons
    card = await live_card(teams, n, root)
    data = {**button(card, "edit_record")["data"], **form(card, "Update"),
            "upd_stage": "information"}
    status, body = await teams.click("edit_record", data, "Dev Designated", reply_to=root)
    assert f"Case {n} updated: review stage." in card_text(body["value"])
    await say_refused(teams, n, f"update case {n} stage foo",
                      "'foo' is not a known review stage. Choose one of: referral, scoping")
    answer = await teams.say(f"update case {n} stage analysis", "Dev Designated")
    assert answer.body["text"] == f"Case {n} updated: review stage."
    await teams.emu.wait_for(lambda: "Stage\nAnalysis and drafting" in
                             card_text(teams.emu.last_card(root)), message="the stage on the card")

    # An action with an owner, who is told in the thread.
    answer = await teams.say(f"action case {n} Audit the referral pathway owner "
                             "<at>Dev Designated</at> due 2027-01-31", "Lena Lead",
                             mentions=("Dev Designated",))
    assert f"Case {n}: action 1 added for Dev Designated, due 31 Jan 2027." == \
        answer.body["text"]

    # 200 days on, the CSPR publication clock and the action are overdue: the reminder worker
    # posts in the case's thread and @mentions the designated professional.
    teams.bot.clock.advance(days=200)
    await reminders.tick(teams.bot.services)

    def clock_reminder() -> Call | None:
        return next((c for c in thread_replies(teams, root)
                     if (rc := adaptive_card(c.body)) and card_title(rc) == f"Reminder · case {n}"
                     and "CSPR publication is overdue" in card_text(rc)), None)
    reminder = await teams.emu.wait_for(clock_reminder, message="the overdue reminder")
    assert mentioned_ids(reminder.body) & {dev.id, dev.aad_object_id}
    snooze = button(adaptive_card(reminder.body), "snooze_reminder")
    status, body = await teams.click("snooze_reminder", snooze["data"], "Dev Designated",
                                     reply_to=reminder.activity_id)
    assert "snoozed until" in card_text(body["value"])
    assert "Overdue cases" in card_text(adaptive_card(
        (await teams.say("overdue devon", "Lena Lead")).body))

    # The ICS agenda lists it among the overdue; "Discussed" records the meeting.
    agenda = adaptive_card((await teams.say("agenda devon", "Lena Lead")).body)
    assert card_title(agenda) == "ICS meeting agenda · NHS Devon ICB"
    text = card_text(agenda)
    assert text.index("Overdue (1)") < text.index(f"Case {n} · NHS Devon ICB")
    data = {**button(agenda, "discussed")["data"], f"discussed_on_{n}": "2027-06-11",
            f"discussed_note_{n}": "Draft report due next month"}
    status, body = await teams.click("discussed", data, "Pat Panel", reply_to=root)
    assert "discussed at the ICS meeting on 11 Jun 2027" in card_text(body["value"])
    redrawn = card_text(body["value"])  # the agenda again, with the discussion on it
    assert "ICS meeting agenda · NHS Devon ICB" in redrawn
    assert "Last discussed 11 Jun 2027" in redrawn

    # The pre-publication briefing, media attention likely: the comms lead is told.
    answer = await teams.say(f"briefing case {n} media likely", "Lena Lead")
    assert "pre-publication briefing on 12 Jun 2027 recorded" in answer.body["text"]
    await teams.emu.wait_for(lambda: any(mentioned_ids(c.body) & {cora.id, cora.aad_object_id}
                                         for c in thread_replies(teams, root)),
                             message="the comms lead mentioned in the thread")

    # Closing: no link, then no signed-off date, are refused and change nothing.
    await say_refused(teams, n, f"close case {n} published", "give the link to the final report")
    await say_refused(teams, n, f"close case {n} published {REPORT}",
                      f"`update case {n} signed off 2027-06-12`")
    await teams.say(f"update case {n} signed off 2027-06-01", "Lena Lead")
    answer = await teams.say(f"close case {n} published {REPORT}", "Lena Lead")
    assert answer.body["text"].startswith(f"Case {n} closed: published on 12 Jun 2027")
    await teams.emu.wait_for(lambda: "Closed" in card_text(teams.emu.last_card(root)),
                             message="the closed card")
    closed = teams.emu.last_card(root)
    assert "actions" not in closed and "Closed: published" in card_text(closed)
    notice = await teams.emu.wait_for(lambda: [c for c in thread_replies(teams, root)
                                               if "is closed (published" in
                                               (c.body.get("text") or "")],
                                      message="the closing notice")
    assert mentioned_ids(notice[0].body) & {dev.id, dev.aad_object_id}
    await say_refused(teams, n, f"update case {n} stage analysis", "read-only")

    # The export (from a 1:1 chat) carries the record in the national field order.
    answer = (await teams.dm("export", "Lena Lead")).body["text"]
    csv_url, xlsx_url = re.findall(r"\((http[^)]+\.(?:csv|xlsx))\)", answer)
    async with teams.session.get(csv_url) as r:
        assert r.status == 200 and r.headers["Cache-Control"] == "no-store"
        rows = list(csv.reader(io.StringIO((await r.read()).decode("utf-8-sig"))))
    assert tuple(rows[0]) == HEADINGS
    row = dict(zip(HEADINGS, next(x for x in rows[1:] if x[0] == str(n)), strict=True))
    assert row["StEIS number"] == "2026/3141" and row["Status"] == "Closed"
    assert (row["Type of review"], row["Review stage"]) == ("CSPR", "Analysis and drafting")
    assert row["Designated professional"] == "Dev Designated"
    assert (row["Report signed off date"], row["Publication date"]) == ("2027-06-01",
                                                                        "2027-06-12")
    assert row["Link to final report"] == REPORT and row["Locality"] == "NHS Devon ICB"
    assert row["Actions required"] == ("1. Audit the referral pathway; owner Dev Designated; "
                                       "due 2027-01-31; open")
    async with teams.session.get(xlsx_url) as r:
        assert r.status == 200
        sheet = load_workbook(io.BytesIO(await r.read()))["Tracker"]
    values = next(list(x) for x in sheet.iter_rows(min_row=2, values_only=True)
                  if x[0] == str(n))
    assert dict(zip(HEADINGS, values, strict=True))["Link to final report"] == REPORT
    async with teams.session.get(csv_url.replace(".csv", "x.csv")) as r:
        assert r.status == 403  # a tampered token


async def test_an_old_clock_reminds_at_the_next_tick_and_the_card_closes_and_reopens(
        teams: Driver) -> None:
    """Black-box timing: a review whose clock ran out long ago is reminded by the running worker
    within seconds, with no clock moved. Then closing from the card's form posts the closing
    notice, and only a safeguarding lead reopens."""
    await teams.setup_team("Lena Lead")
    await teams.say("role designated lead <at>Dev Designated</at> for Devon", "Lena Lead",
                    mentions=("Dev Designated",))
    status, body = await intake(teams, {**INCIDENT, "steis_number": "2026/2718"})
    n = body["case_number"]
    root = (await teams.thread_of_case(n)).activity_id
    await teams.click("route_path1", {"case": n, "version": 1, "level": "case_review"},
                      "Lena Lead", reply_to=root)
    answer = await teams.say(f"panel case {n} cspr on 2026-01-05", "Lena Lead")
    assert "CSPR (panel 05 Jan 2026)" in answer.body["text"]
    reminder = await teams.emu.wait_for(
        lambda: [c for c in thread_replies(teams, root) if (rc := adaptive_card(c.body))
                 and "CSPR publication is overdue" in card_text(rc)],
        message="the reminder from the running worker")
    assert "05 Jul 2026" in card_text(adaptive_card(reminder[0].body))

    card = await live_card(teams, n, root)
    data = {**button(card, "close_case")["data"], **form(card, "Close"),
            "close_outcome": "embargoed", "close_until": "2027-03-01",
            "close_reason": "Criminal proceedings"}
    status, body = await teams.click("close_case", data, "Lena Lead", reply_to=root)
    assert f"Case {n} closed: embargoed until 01 Mar 2027: Criminal proceedings." in \
        card_text(body["value"])
    notice = await teams.emu.wait_for(lambda: [c for c in thread_replies(teams, root)
                                               if "is closed (embargoed" in
                                               (c.body.get("text") or "")],
                                      message="the closing notice")
    assert notice[0].body["text"].startswith(
        f"Case {n} is closed (embargoed until 01 Mar 2027: Criminal proceedings), by Lena Lead.")
    answer = await teams.say(f"reopen case {n} police shared new information", "Dev Designated")
    assert "reopen cases" in answer.body["text"] and "safeguarding lead" in answer.body["text"]
    answer = await teams.say(f"reopen case {n} police shared new information", "Lena Lead")
    assert answer.body["text"] == f"Case {n} reopened."
    await teams.emu.wait_for(lambda: "Close case" in card_text(teams.emu.last_card(root)),
                             message="the card open again")

"""Issue 7, end to end over real HTTP as Teams drives it: need-to-know access by locality and
region, refusals on record in `history`, no details outside safeguarding places, and the
patient-data guard on free text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.conftest import Database, bot_settings
from tests.support.emulator import ConnectorEmulator, adaptive_card
from tests.support.harness import Driver, card_text, start_bot
from tests.support.teams import User, group_message, new_thread_id
from tests.test_foundation_e2e import INCIDENT, intake
from tracker.clock import FixedClock

pytestmark = pytest.mark.e2e

ADMIN = User("Ada Admin", aad_object_id="00000000-0000-0000-0000-00000000ad01")
DEVON_TEXT = "Bruising noticed at nursery; family known to services (Devon)."
CORNWALL_TEXT = "Older adult found without food or heating (Cornwall)."
NHS = "943 476 5919"  # valid check digit


@pytest.fixture
async def teams(database: Database, clock: FixedClock,
                emulator: ConnectorEmulator) -> AsyncIterator[Driver]:
    running = await start_bot(bot_settings(database, admins=(ADMIN.aad_object_id,)), clock,
                              schema=database.schema)
    admin = emulator.add_user(ADMIN.name, aad_object_id=ADMIN.aad_object_id)
    try:
        async with aiohttp.ClientSession() as session:
            driver = Driver(running, emulator, session, emulator.team)
            driver.users[ADMIN.name] = admin
            yield driver
    finally:
        await running.stop()


async def give(teams: Driver, role: str, who: str, where: str) -> None:
    answer = await teams.say(f"role {role} <at>{who}</at> for {where}", ADMIN.name,
                             mentions=(who,))
    assert f"{who} is now" in answer.body["text"], answer.body


async def two_localities(teams: Driver) -> tuple[int, int]:
    """Devon (A) and Cornwall (B), a lead for each, a regional lead over both; one case each."""
    await teams.install()
    answer = await teams.say("setup", ADMIN.name)
    assert "safeguarding channel" in answer.body["text"]
    await give(teams, "safeguarding lead", "Dana Devon", "Devon")
    await give(teams, "safeguarding lead", "Cora Cornwall", "Cornwall")
    await give(teams, "regional lead", "Rhys Regional", "region south west")
    numbers = []
    for locality, text in (("Devon", DEVON_TEXT), ("Cornwall", CORNWALL_TEXT)):
        status, body = await intake(teams, {**INCIDENT, "locality": locality, "summary": text})
        assert status == 201, body
        numbers.append(body["case_number"])
        await teams.thread_of_case(body["case_number"])
    return numbers[0], numbers[1]


def shown(call: Any) -> str:
    card = adaptive_card(call.body)
    return card_text(card) if card else str(call.body.get("text", ""))


async def test_locality_scope_regional_scope_and_not_found(teams: Driver) -> None:
    a, b = await two_localities(teams)

    # Dana (Devon only): case B answers exactly like a case that does not exist.
    hidden = (await teams.say(f"case {b}", "Dana Devon")).body["text"]
    missing = (await teams.say("case 99999", "Dana Devon")).body["text"]
    assert hidden == missing.replace("99999", str(b))
    assert "couldn't find" in hidden
    for ask in (f"history case {b}", f"history case {b} page 2"):
        assert "couldn't find" in (await teams.say(ask, "Dana Devon")).body["text"]
    listing = shown(await teams.say("cases", "Dana Devon"))
    assert f"Case {a}" in listing and f"Case {b}" not in listing

    # Cora (Cornwall only) sees the mirror image.
    listing = shown(await teams.say("cases", "Cora Cornwall"))
    assert f"Case {b}" in listing and f"Case {a}" not in listing
    assert "couldn't find" in (await teams.say(f"case {a}", "Cora Cornwall")).body["text"]

    # The regional lead sees both, and both cards.
    listing = shown(await teams.say("cases", "Rhys Regional"))
    assert f"Case {a}" in listing and f"Case {b}" in listing
    for n, text in ((a, DEVON_TEXT), (b, CORNWALL_TEXT)):
        assert text in shown(await teams.say(f"case {n}", "Rhys Regional"))

    # Dana's look at case B is on B's record, for those who may see it.
    history = shown(await teams.say(f"history case {b}", "Cora Cornwall"))
    assert "Dana Devon" in history and "Refused: tried to see a case" in history


async def test_a_refused_change_is_logged_in_history(teams: Driver) -> None:
    a, _ = await two_localities(teams)
    root = (await teams.thread_of_case(a)).activity_id
    status, body = await teams.click("route_nfa", {"case": a, "version": 1,
                                                   "level": "case_review",
                                                   "reason": "Not needed"},
                                     "Nora Norole", reply_to=root)
    assert status == 200 and "role" in str(body["value"]).lower()
    case = await teams.bot.services.service.peek(a)
    assert case.version == 1 and not case.closed  # nothing changed
    history = shown(await teams.say(f"history case {a}", "Dana Devon"))
    assert "Nora Norole" in history and "Refused: tried to decide a case's route" in history
    assert "Case logged" in history


async def test_no_case_details_outside_safeguarding_places(teams: Driver) -> None:
    a, _ = await two_localities(teams)
    general = teams.team.general_channel_id
    for ask in (f"case {a}", "cases", f"history case {a}"):
        answer = await teams.say(ask, "Dana Devon", channel=general)
        assert adaptive_card(answer.body) is None, ask
        text = answer.body["text"]
        assert str(a) in text and DEVON_TEXT not in text and "Riverside" not in text, ask
        assert "safeguarding channel" in text
    # A group chat is not a safeguarding place either.
    chat = new_thread_id("v2")
    before = len(teams.emu.calls)
    act = group_message(f"case {a}", teams.user("Dana Devon"), service_url=teams.emu.url,
                        conversation_id=chat, team=teams.team)
    status, _ = await teams.post(act)
    assert status in (200, 201)
    answer = await teams.answer_after(before, act["id"])
    assert adaptive_card(answer.body) is None and DEVON_TEXT not in answer.body["text"]
    # A 1:1 chat with someone who may see the case shows it.
    assert DEVON_TEXT in shown(await teams.dm(f"case {a}", "Dana Devon"))


async def test_free_text_guard_refuses_nhs_numbers_and_confirms_likely_identifiers(
    teams: Driver,
) -> None:
    a, _ = await two_localities(teams)
    root = (await teams.thread_of_case(a)).activity_id

    async def version() -> int:
        return (await teams.bot.services.service.peek(a)).version

    # An NHS number in the no-further-action reason: refused, explained, nothing stored.
    status, body = await teams.click("route_nfa", {"case": a, "version": 1,
                                                   "level": "case_review",
                                                   "reason": f"Duplicate of NHS {NHS}"},
                                     "Dana Devon", reply_to=root)
    said = str(body["value"])
    assert status == 200 and "reason contains an NHS number" in said and "Nothing was saved" in said
    assert "5919" not in said
    assert await version() == 1

    # A likely date of birth: asked to confirm (field named, value not echoed) ...
    reason = "Reviewed with the mother (DOB 12/03/1990); single-agency learning only"
    data = {"case": a, "version": 1, "level": "case_review", "reason": reason}
    status, body = await teams.click("route_nfa", data, "Dana Devon", reply_to=root)
    card = body["value"]
    assert "reason looks like it contains a date of birth" in card_text(card)
    assert "12/03/1990" not in card_text(card)
    assert await version() == 1
    save = next(x for x in card["body"][-1]["actions"] if x["title"] == "Save anyway")
    # ... someone else cannot confirm it for her ...
    status, body = await teams.click(save["verb"], save["data"], "Cora Cornwall", reply_to=root)
    assert await version() == 1
    # ... and her own "Save anyway" saves it.
    status, body = await teams.click(save["verb"], save["data"], "Dana Devon", reply_to=root)
    assert status == 200 and "No further action" in card_text(body["value"]), body
    assert await version() == 2


async def export_numbers(teams: Driver, who: str) -> set[str]:
    """Ask for `export` in a 1:1 chat, download the CSV, return the case numbers in it."""
    import csv
    import io
    import re

    text = (await teams.dm("export", who)).body["text"]
    url = re.search(r"\[CSV\]\((\S+?)\)", text)
    assert url, text
    async with teams.session.get(url.group(1)) as r:
        assert r.status == 200, await r.text()
        rows = list(csv.reader(io.StringIO(await r.text())))
    col = next(i for i, h in enumerate(rows[0]) if "case number" in h.lower())
    return {row[col] for row in rows[1:]}


async def test_close_refused_note_with_nhs_number_refused_and_export_scoped(
    teams: Driver,
) -> None:
    a, b = await two_localities(teams)

    # A user with no role tries to close case A: refused, and on record in its history.
    answer = await teams.say(f"close case {a} published https://example.org/report",
                             "Nora Norole")
    assert "safeguarding role" in answer.body["text"]
    case = await teams.bot.services.service.peek(a)
    assert not case.closed and case.version == 1
    history = shown(await teams.say(f"history case {a}", "Dana Devon"))
    assert "Nora Norole" in history and "Refused: tried to close cases" in history

    # An NHS number in a note: refused with an explanation, nothing stored, number not echoed.
    answer = await teams.say(f"note case {a} Spoke to the GP, NHS {NHS}", "Dana Devon")
    text = answer.body["text"]
    assert "contains an NHS number" in text and "Nothing was saved" in text
    assert "5919" not in text
    case = await teams.bot.services.service.peek(a)
    assert case.version == 1 and case.comments == []

    # Exports hold only what the asker may see.
    assert await export_numbers(teams, "Dana Devon") == {str(a)}
    assert await export_numbers(teams, "Cora Cornwall") == {str(b)}
    assert await export_numbers(teams, "Rhys Regional") == {str(a), str(b)}


async def test_a_command_with_a_likely_identifier_is_saved_only_after_the_writers_confirmation(
    teams: Driver,
) -> None:
    a, _ = await two_localities(teams)
    note = "Discussed with Mrs Jane Holloway, the nursery manager"
    answer = await teams.say(f"note case {a} {note}", "Dana Devon")
    card = adaptive_card(answer.body)
    assert card is not None
    said = card_text(card)
    assert "note looks like it contains a person's name" in said.lower() or \
        "looks like it contains a person's name" in said
    assert "Holloway" not in said
    assert (await teams.bot.services.service.peek(a)).comments == []
    save = next(x for x in card["body"][-1]["actions"] if x["title"] == "Save anyway")
    status, body = await teams.click(save["verb"], save["data"], "Cora Cornwall",
                                     reply_to=answer.activity_id)
    assert "Only the person who wrote it" in str(body["value"])
    assert (await teams.bot.services.service.peek(a)).comments == []
    status, body = await teams.click(save["verb"], save["data"], "Dana Devon",
                                     reply_to=answer.activity_id)
    assert status == 200, body
    comments = (await teams.bot.services.service.peek(a)).comments
    assert [c.text for c in comments] == [note]

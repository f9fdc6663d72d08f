"""Issue 2 in Teams: the intake form, the Action.Submit fallback, roles, admins, install."""

from __future__ import annotations

import aiohttp
import pytest

from tests.conftest import bot_settings
from tests.support.emulator import adaptive_card
from tests.support.harness import Driver, card_text, card_title, start_bot

pytestmark = pytest.mark.e2e

FORM = {"reported_by": "Riverside NHS Foundation Trust", "locality": "devon",
        "incident_date": "2026-11-20", "summary": "Serious injury to a child.",
        "specialist_commissioned": "false", "media_interest": "false",
        "steis_number": "", "lfpse_reference": "2026-LF-77", "local_reference": ""}


async def test_new_incident_form_validates_and_keeps_values(teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    answer = await teams.say("new incident", "Lena Lead")
    form = adaptive_card(answer.body)
    inputs = [e for e in _walk(form) if str(e.get("type", "")).startswith("Input.")]
    assert inputs and all(e.get("label") for e in inputs)

    bad = {**FORM, "summary": "", "incident_date": "2099-01-01"}
    status, body = await teams.click("intake_submit", bad, "Lena Lead", reply_to=answer.activity_id)
    assert status == 200
    again = body["value"]
    text = card_text(again)
    assert "Required" in text and "future" in text
    assert "Riverside NHS Foundation Trust" in str(again)  # the values are kept

    status, body = await teams.click("intake_submit", FORM, "Lena Lead",
                                     reply_to=answer.activity_id)
    assert "Case 1 logged" in card_text(body["value"])
    thread = await teams.thread_of_case(1)
    assert card_title(adaptive_card(thread.body["activity"])).startswith("Case 1")
    # The same LFPSE reference again is the same case.
    status, body = await teams.click("intake_submit", FORM, "Lena Lead",
                                     reply_to=answer.activity_id)
    assert "already case 1" in card_text(body["value"])


async def test_action_submit_fallback_is_handled_like_execute(teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    answer = await teams.say("new incident", "Lena Lead")
    reply = await teams.submit({"verb": "intake_submit", **FORM}, "Lena Lead",
                               reply_to=answer.activity_id)
    assert "Case 1 logged" in reply.body["text"]
    thread = await teams.thread_of_case(1)
    root = thread.activity_id
    reply = await teams.submit({"verb": "route_path2", "case": 1, "version": 1,
                                "level": "psii"}, "Lena Lead", reply_to=root,
                               conversation=thread.conversation_id)
    assert "Path 2" in reply.body["text"]
    await teams.emu.wait_for(lambda: teams.emu.updates(root), message="in-place update")
    assert "Path 2" in card_text(adaptive_card(teams.emu.activity(root)))
    # A garbled payload gets a polite answer.
    reply = await teams.submit({"verb": "route_path2", "case": "DROP TABLE"}, "Lena Lead",
                               reply_to=root)
    assert "damaged" in reply.body["text"]


async def test_roles_setup_rules_and_listing(teams: Driver) -> None:
    await teams.setup_team("Lena Lead")
    # Only safeguarding leads may run setup or role once the team has one.
    answer = await teams.say("setup Devon", "Ollie Other")
    assert "can't" in answer.body["text"] or "Only people" in answer.body["text"]
    answer = await teams.say("role medical director", "Ollie Other", mentions=("Sam Lee",))
    assert "Only people" in answer.body["text"] or "can't" in answer.body["text"]
    answer = await teams.say("role medical director", "Lena Lead", mentions=("Sam Lee",))
    assert "held for an ICB" in answer.body["text"]  # a team is not a scope
    answer = await teams.say("role medical director <at>Sam Lee</at> for Devon", "Lena Lead",
                             mentions=("Sam Lee",))
    assert "Sam Lee is now medical director for NHS Devon ICB" in answer.body["text"]
    answer = await teams.say("role medical director <at>Sam Lee</at> for Devon", "Lena Lead",
                             mentions=("Sam Lee",))
    assert "already" in answer.body["text"]
    answer = await teams.say("role wizard", "Lena Lead", mentions=("Sam Lee",))
    assert "don't know the role" in answer.body["text"]
    answer = await teams.say("role panel member Sam", "Lena Lead")
    assert "don't understand" in answer.body["text"] or "Mention" in answer.body["text"]
    answer = await teams.say("setup Devon", "Lena Lead")
    assert "for NHS Devon ICB" in answer.body["text"]
    answer = await teams.say("roles", "Lena Lead")
    assert "Medical director: Sam Lee" in answer.body["text"]
    assert "Safeguarding lead: Lena Lead" in answer.body["text"]
    # The mention was resolved through the members API: AAD id stored.
    sam = teams.user("Sam Lee")
    grants = await teams.bot.services.service.access(
        __import__("tracker.model", fromlist=["Actor"]).Actor(sam.id, sam.aad_object_id, "Sam"))
    assert [g.role for g in grants.grants] == ["medical_director"]


async def test_install_stores_the_team_once(teams: Driver) -> None:
    await teams.install()
    await teams.install()
    welcomes = [c for c in teams.emu.messages() if "Hello!" in (c.body.get("text") or "")]
    assert len(welcomes) == 1
    from sqlalchemy import select

    from storage.tables import installations
    async with teams.bot.services.engine.connect() as conn:
        rows = list(await conn.execute(select(installations)))
    assert len(rows) == 1
    row = rows[0]
    assert row.team_id == teams.team.id and row.tenant_id == teams.team.tenant_id
    assert row.service_url == teams.emu.url


async def test_tracker_admins_may_set_up_anywhere(database, clock, emulator) -> None:  # type: ignore[no-untyped-def]
    boss = emulator.add_user("Ada Admin")
    settings = bot_settings(database, admins=(boss.aad_object_id,))
    bot = await start_bot(settings, clock, schema=database.schema)
    try:
        async with aiohttp.ClientSession() as session:
            teams = Driver(bot, emulator, session, emulator.team, {"Ada Admin": boss})
            await teams.install()
            await teams.say("setup", "Lena Lead")  # Lena becomes the team's lead
            answer = await teams.say("setup Kent", "Ada Admin")
            assert "NHS Kent and Medway ICB" in answer.body["text"]
            assert "first to set up" not in answer.body["text"]
    finally:
        await bot.stop()


def _walk(node):  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


async def test_a_locality_channel_gets_that_localitys_threads(teams: Driver) -> None:
    await teams.setup_team("Lena Lead")  # the Safeguarding channel is the default
    general = teams.team.general_channel_id
    answer = await teams.say("setup Kent and Medway", "Lena Lead", channel=general)
    assert "NHS Kent and Medway ICB" in answer.body["text"]
    svc = teams.bot.services.service
    for locality in ("Kent", "Devon"):
        form = svc.parse_intake({**FORM, "locality": locality, "lfpse_reference": locality},
                                teams.bot.services.today())
        await svc.log_incident(__import__("tracker.model", fromlist=["SYSTEM"]).SYSTEM, form)
    teams.bot.services.nudge()
    kent, devon = await teams.thread_of_case(1), await teams.thread_of_case(2)
    assert kent.body["channelData"]["channel"]["id"] == general
    assert devon.body["channelData"]["channel"]["id"] == teams.team.safeguarding_channel_id

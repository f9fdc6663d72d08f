"""Tests of the Bot Connector emulator and the inbound-activity builders (no mocks)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import (
    Activity,
    Attachment,
    ChannelAccount,
    ConversationParameters,
    Mention,
)
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from botframework.connector.teams import TeamsConnectorClient
from msrest.exceptions import HttpOperationError

from tests.support import teams
from tests.support.emulator import ADAPTIVE_CARD, ConnectorEmulator, mentioned_ids


@pytest.fixture
async def emu() -> AsyncIterator[ConnectorEmulator]:
    async with ConnectorEmulator(app_id="00000000-0000-0000-0000-0000000000b0") as emulator:
        yield emulator


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def connector(emu: ConnectorEmulator) -> AsyncIterator[ConnectorClient]:
    async with ConnectorClient(MicrosoftAppCredentials("", ""), base_url=emu.url) as client:
        yield client


def card(text: str, mention: teams.User | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [{"type": "TextBlock", "text": text}],
    }
    if mention:
        body["msteams"] = {"entities": [teams.mention_entity(mention.aad_object_id, mention.name)]}
    return body


async def request(
    http: aiohttp.ClientSession, method: str, url: str, body: Any = None
) -> tuple[int, Any, Mapping[str, str]]:
    async with http.request(method, url, json=body) as resp:
        data = await resp.json() if resp.content_type == "application/json" else await resp.text()
        return resp.status, data, resp.headers


def conv_url(emu: ConnectorEmulator, conversation_id: str, tail: str = "activities") -> str:
    return f"{emu.url}v3/conversations/{quote(conversation_id, safe='')}/{tail}"


# ---- lifecycle and basics ----


async def test_binds_a_free_local_port() -> None:
    async with ConnectorEmulator() as a, ConnectorEmulator() as b:
        assert a.url.startswith("http://127.0.0.1:") and a.url.endswith("/")
        assert a.url != b.url
        assert ":3978/" not in a.url


async def test_team_fixture(emu: ConnectorEmulator) -> None:
    team = emu.team
    assert team.id.startswith("19:") and team.id.endswith("@thread.tacv2")
    assert team.general_channel_id == team.id
    assert team.safeguarding_channel_id != team.id
    assert team.bot.id == "28:00000000-0000-0000-0000-0000000000b0"


# ---- protocol compatibility with botframework's own client ----


async def test_connector_client_round_trip(
    emu: ConnectorEmulator, connector: ConnectorClient
) -> None:
    alice = emu.add_user("Alice Smith", upn="alice@nhs.net")
    channel = emu.team.safeguarding_channel_id
    params = ConversationParameters(
        is_group=True,
        bot=ChannelAccount(id=emu.bot.id),
        channel_data={"channel": {"id": channel}, "tenant": {"id": emu.tenant_id}},
        activity=Activity(type="message", text="Case 1 opened"),
        tenant_id=emu.tenant_id,
    )
    created = await connector.conversations.create_conversation(params)
    assert created.id == f"{channel};messageid={created.activity_id}"

    sent = await connector.conversations.send_to_conversation(
        created.id, Activity(type="message", text="first reply")
    )
    replied = await connector.conversations.reply_to_activity(
        channel, created.activity_id, Activity(type="message", text="second reply")
    )
    assert int(created.activity_id) < int(sent.id) < int(replied.id)

    attachment = Attachment(content_type=ADAPTIVE_CARD, content=card("v2"))
    updated = await connector.conversations.update_activity(
        created.id,
        created.activity_id,
        Activity(id=created.activity_id, type="message", attachments=[attachment]),
    )
    assert updated.id == created.activity_id

    member = await connector.conversations.get_conversation_member(created.id, alice.id)
    assert (member.id, member.name) == (alice.id, "Alice Smith")
    assert member.aad_object_id == alice.aad_object_id
    by_aad = await connector.conversations.get_conversation_member(channel, alice.aad_object_id)
    assert by_aad.id == alice.id

    assert [c.kind for c in emu.calls] == [
        "create", "send", "reply", "update", "get_member", "get_member"
    ]  # fmt: skip
    assert all(c.authorization is None for c in emu.calls)  # anonymous credentials
    assert [m.activity["text"] for m in emu.messages(channel)] == [
        "Case 1 opened", "first reply", "second reply"
    ]  # fmt: skip
    assert len(emu.threads()) == 1
    assert emu.updates(created.activity_id)[0].status == 200
    assert emu.last_card(created.activity_id) == card("v2")


async def test_cloud_adapter_creates_thread_and_replies_in_it(emu: ConnectorEmulator) -> None:
    config = SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
    channel = emu.team.safeguarding_channel_id
    replies: list[str] = []

    async def callback(turn: TurnContext) -> None:
        sent = await turn.send_activity("in the thread")
        replies.append(sent.id)

    params = ConversationParameters(
        is_group=True,
        channel_data={"channel": {"id": channel}},
        activity=Activity(type="message", text="root"),
    )
    await adapter.create_conversation("", callback, params, "msteams", emu.url, None)
    root, reply = emu.messages(channel)
    assert root.conversation_id == f"{channel};messageid={root.activity_id}"
    assert (reply.kind, reply.reply_to_id, reply.activity_id) == (
        "reply",
        root.activity_id,
        replies[0],
    )
    assert reply.conversation_id == root.conversation_id


async def test_connector_client_one_on_one_and_paged_members(
    emu: ConnectorEmulator, connector: ConnectorClient
) -> None:
    users = [emu.add_user(f"User {i}") for i in range(5)]
    params = ConversationParameters(
        is_group=False,
        bot=ChannelAccount(id=emu.bot.id),
        members=[ChannelAccount(id=users[0].id)],
        channel_data={"tenant": {"id": emu.tenant_id}},
        tenant_id=emu.tenant_id,
    )
    first = await connector.conversations.create_conversation(params)
    params.members = [ChannelAccount(id=users[0].aad_object_id)]
    params.activity = Activity(type="message", text="hello")
    second = await connector.conversations.create_conversation(params)
    assert first.id == second.id == teams.personal_conversation_id(users[0])
    assert emu.messages(first.id)[0].activity["text"] == "hello"

    page = await connector.conversations.get_conversation_paged_members(first.id, page_size=2)
    seen = [m.id for m in page.members]
    while page.continuation_token:
        page = await connector.conversations.get_conversation_paged_members(
            first.id, page_size=2, continuation_token=page.continuation_token
        )
        seen += [m.id for m in page.members]
    assert seen == [u.id for u in users]


async def test_teams_connector_client_channels_and_details(emu: ConnectorEmulator) -> None:
    client = TeamsConnectorClient(MicrosoftAppCredentials("", ""), base_url=emu.url)
    channels = await asyncio.to_thread(client.teams.get_teams_channels, emu.team.id)
    assert [(c.id, c.name) for c in channels.conversations] == [
        (emu.team.id, "General"),
        (emu.team.safeguarding_channel_id, "Safeguarding"),
    ]
    details = await asyncio.to_thread(client.teams.get_team_details, emu.team.id)
    assert details.name == emu.team.name
    assert {c.kind for c in emu.calls} == {"team"}


async def test_unknown_member_is_404(emu: ConnectorEmulator, connector: ConnectorClient) -> None:
    with pytest.raises(HttpOperationError) as caught:
        await connector.conversations.get_conversation_member(emu.team.id, "29:nobody")
    assert caught.value.response.status_code == 404
    assert emu.calls[-1].status == 404


# ---- raw HTTP behaviour ----


async def test_prefixed_service_url_and_authorization(
    emu: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    url = f"{emu.url}amer/v3/conversations/a%3Ax/activities"
    async with http.post(url, json={"type": "message"}, headers={"Authorization": "Bearer t"}):
        pass
    call = emu.calls[-1]
    assert (call.kind, call.status, call.conversation_id) == ("send", 201, "a:x")
    assert call.authorization == "Bearer t"


async def test_update_of_unknown_activity_is_404(
    emu: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    status, body, _ = await request(
        http, "PUT", conv_url(emu, emu.team.id, "activities/123"), {"type": "message"}
    )
    assert status == 404
    assert emu.updates() == []


async def test_wait_for_times_out_with_dump(
    emu: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    await request(http, "POST", conv_url(emu, "a:x"), {"type": "message", "text": "hi"})
    assert (await emu.wait_for_calls(1, "send"))[0].activity["text"] == "hi"
    with pytest.raises(AssertionError, match="text='hi'"):
        await emu.wait_for(lambda: emu.updates(), timeout=0.1)


# ---- fault injection ----


async def test_fail_next_429_with_retry_after(
    emu: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    emu.fail_next(429, times=2, retry_after=3, kinds=["send"])
    status, _, _ = await request(http, "GET", conv_url(emu, "a:x", "pagedmembers"))
    assert status == 200  # not a "send": untouched
    results = [
        await request(http, "POST", conv_url(emu, "a:x"), {"type": "message"}) for _ in "abc"
    ]
    assert [r[0] for r in results] == [429, 429, 201]
    assert results[0][2]["Retry-After"] == "3"
    assert [c.status for c in emu.calls if c.kind == "send"] == [429, 429, 201]
    assert len(emu.messages()) == 1 and len(emu.activities) == 1


async def test_fail_next_403_not_in_roster_via_connector_client(
    emu: ConnectorEmulator, connector: ConnectorClient
) -> None:
    emu.fail_next(403, body={"error": {"code": "BotNotInConversationRoster"}})
    with pytest.raises(HttpOperationError) as caught:
        await connector.conversations.send_to_conversation("a:x", Activity(type="message"))
    assert caught.value.response.status_code == 403
    assert caught.value.response.json()["error"]["code"] == "BotNotInConversationRoster"
    assert emu.messages() == []


async def test_slow_next_delays_answers(
    emu: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    emu.slow_next(0.3)
    loop = asyncio.get_running_loop()
    start = loop.time()
    await request(http, "POST", conv_url(emu, "a:x"), {"type": "message"})
    assert loop.time() - start >= 0.3
    start = loop.time()
    await request(http, "POST", conv_url(emu, "a:x"), {"type": "message"})
    assert loop.time() - start < 0.3


async def test_enforce_limits_per_thread_and_tenant(
    emu: ConnectorEmulator, http: aiohttp.ClientSession
) -> None:
    emu.enforce_limits(per_second=7, tenant_per_second=10)
    thread = f"{emu.team.id};messageid=1"
    statuses = [
        (await request(http, "POST", conv_url(emu, thread), {"type": "message"}))[0]
        for _ in range(9)
    ]
    assert statuses == [201] * 7 + [429] * 2  # replies in a thread count against the channel
    assert emu.calls[-1].status == 429 and emu.throttled == 2
    others = [
        (await request(http, "POST", conv_url(emu, f"a:{i}"), {"type": "message"}))[0]
        for i in range(4)
    ]
    assert others == [201, 201, 201, 429]  # tenant-wide 10 per second
    assert emu.throttled == 3
    _, _, headers = await request(http, "POST", conv_url(emu, "a:z"), {"type": "message"})
    assert headers["Retry-After"] == "1"
    await asyncio.sleep(1.05)  # sliding window moves on
    status, _, _ = await request(http, "POST", conv_url(emu, thread), {"type": "message"})
    assert status == 201


# ---- mentions and builders ----


async def test_mentioned_ids_in_entities_and_card(
    emu: ConnectorEmulator, connector: ConnectorClient
) -> None:
    alice, bob = emu.add_user("Alice"), emu.add_user("Bob")
    mention = Mention(
        mentioned=ChannelAccount(id=alice.id, name="Alice"), text="<at>Alice</at>", type="mention"
    )
    activity = Activity(
        type="message",
        text="<at>Alice</at> see card",
        entities=[mention],
        attachments=[Attachment(content_type=ADAPTIVE_CARD, content=card("x", mention=bob))],
    )
    await connector.conversations.send_to_conversation("a:x", activity)
    assert mentioned_ids(emu.messages()[0].activity) == {alice.id, bob.aad_object_id}
    assert mentioned_ids({"type": "message", "entities": [{"type": "clientInfo"}]}) == set()


def test_channel_message_shape() -> None:
    team = teams.make_team(app_id="app")
    alice, bob = teams.User("Alice"), teams.User("Bob")
    act = teams.channel_message(
        "assign", alice, service_url="http://x/", team=team, thread_id="42", mentions=[bob]
    )
    assert act["text"] == "<at>Safeguarding Tracker</at> assign <at>Bob</at>"
    assert act["conversation"]["id"] == f"{team.id};messageid=42"
    assert act["conversation"]["conversationType"] == "channel"
    assert act["channelData"]["teamsTeamId"] == team.id
    assert act["channelData"]["tenant"] == {"id": team.tenant_id}
    assert act["from"] == {"id": alice.id, "name": "Alice", "aadObjectId": alice.aad_object_id}
    assert act["recipient"]["id"] == "28:app" and act["channelId"] == "msteams"
    assert act["timestamp"].endswith("Z")
    assert mentioned_ids(act) == {"28:app", bob.id}
    other = teams.channel_message("x", alice, service_url="http://x/", team=team)
    assert other["conversation"]["id"] == team.id and other["id"] != act["id"]


def test_card_and_install_builders() -> None:
    team = teams.make_team()
    alice = teams.User("Alice")
    invoke = teams.card_invoke(
        "triage", {"case": "C1", "version": 3}, alice,
        conversation=f"{team.id};messageid=7", reply_to_id="7", service_url="u", team=team,
    )  # fmt: skip
    assert invoke["type"] == "invoke" and invoke["name"] == "adaptiveCard/action"
    assert invoke["value"]["action"] == {
        "type": "Action.Execute", "verb": "triage", "data": {"case": "C1", "version": 3}
    }  # fmt: skip
    assert invoke["replyToId"] == "7"
    submit = teams.card_submit(
        {"x": 1}, alice, conversation="a:1", reply_to_id="9", service_url="u", team=team
    )
    assert submit["type"] == "message" and "text" not in submit and submit["value"] == {"x": 1}
    assert submit["conversation"]["conversationType"] == "personal"
    dm = teams.personal_message("help", alice, service_url="u", team=team)
    assert dm["conversation"]["id"] == teams.personal_conversation_id(alice)
    install = teams.installation_update(service_url="u", team=team)
    assert install["action"] == "add"
    assert install["channelData"]["settings"]["selectedChannel"]["id"] == team.id
    added = teams.conversation_update_bot_added(
        service_url="u", team=team, selected_channel_id=team.safeguarding_channel_id
    )
    assert added["membersAdded"] == [{"id": team.bot.id}]
    assert added["channelData"]["eventType"] == "teamMemberAdded"
    assert added["channelData"]["team"]["id"] == team.id


async def test_builders_parse_as_botbuilder_activities() -> None:
    team = teams.make_team()
    alice = teams.User("Alice")
    act = Activity().deserialize(
        teams.channel_message("setup", alice, service_url="u", team=team, mentions=[alice])
    )
    assert act.from_property.aad_object_id == alice.aad_object_id
    assert act.conversation.conversation_type == "channel"
    assert [e.type for e in act.entities] == ["mention", "mention", "clientInfo"]


async def test_post_activity(http: aiohttp.ClientSession) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def handler(request: aiohttp.web.Request) -> aiohttp.web.Response:
        received.append((request.headers.get("Authorization"), await request.json()))
        return aiohttp.web.json_response({"ok": True})

    app = aiohttp.web.Application()
    app.router.add_post("/api/messages", handler)
    runner = aiohttp.web.AppRunner(app)
    await runner.setup()
    site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        team = teams.make_team()
        act = teams.personal_message("hi", teams.User("A"), service_url="u", team=team)
        status, body = await teams.post_activity(http, f"http://127.0.0.1:{port}", act, "tok")
    finally:
        await runner.cleanup()
    assert (status, body) == (200, {"ok": True})
    assert received == [("Bearer tok", act)]

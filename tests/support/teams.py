"""Builders for inbound activities exactly as Microsoft Teams posts them to a bot.

Every builder returns a plain camelCase dict (the JSON body Teams sends to `/api/messages`).
Ids are random unless passed. Shapes follow real Teams payloads (see
docs teams-platform.md sections 3-4 and the msteams-docs conversation-events page).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import aiohttp

Json = dict[str, Any]
ConversationType = Literal["channel", "personal", "groupChat"]

BOT_NAME = "Safeguarding Tracker"
LOCALE = "en-GB"
TIMEZONE = "Europe/London"


@dataclass(frozen=True)
class User:
    """A Teams user: `id` is the bot-scoped 29: MRI, `aad_object_id` the Entra object id."""

    name: str
    id: str = field(default_factory=lambda: f"29:{uuid.uuid4()}")
    aad_object_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    upn: str = ""
    email: str = ""

    def account(self) -> Json:
        """The `from` / member account Teams puts in activities."""
        return {"id": self.id, "name": self.name, "aadObjectId": self.aad_object_id}


@dataclass(frozen=True)
class BotAccount:
    """The bot's own account: id is `28:<app id>`."""

    app_id: str
    name: str = BOT_NAME

    @property
    def id(self) -> str:
        return f"28:{self.app_id}"

    def account(self) -> Json:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class Channel:
    id: str
    name: str


@dataclass(frozen=True)
class Team:
    """A team with its General channel (id == team id, as Teams does) and extra channels."""

    id: str
    name: str
    tenant_id: str
    bot: BotAccount
    aad_group_id: str
    channels: tuple[Channel, ...]

    @property
    def general_channel_id(self) -> str:
        return self.id

    @property
    def safeguarding_channel_id(self) -> str:
        return self.channel("Safeguarding").id

    def channel(self, name: str) -> Channel:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise KeyError(name)


def new_thread_id(kind: str = "tacv2") -> str:
    return f"19:{uuid.uuid4().hex}@thread.{kind}"


def make_team(
    *, app_id: str | None = None, tenant_id: str | None = None, name: str = "Safeguarding Team"
) -> Team:
    """A team with General (the team id) and a 'Safeguarding' channel."""
    team_id = new_thread_id()
    channels = (Channel(team_id, "General"), Channel(new_thread_id(), "Safeguarding"))
    return Team(
        id=team_id,
        name=name,
        tenant_id=tenant_id or str(uuid.uuid4()),
        bot=BotAccount(app_id or str(uuid.uuid4())),
        aad_group_id=str(uuid.uuid4()),
        channels=channels,
    )


def personal_conversation_id(user: User) -> str:
    """The 1:1 conversation id the emulator hands out for `user` (stable per user)."""
    return f"a:1on1-{user.id}"


def at(name: str) -> str:
    return f"<at>{name}</at>"


def mention_entity(account_id: str, name: str) -> Json:
    return {"type": "mention", "text": at(name), "mentioned": {"id": account_id, "name": name}}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _client_info() -> Json:
    return {
        "type": "clientInfo",
        "locale": LOCALE,
        "country": "GB",
        "platform": "Web",
        "timezone": TIMEZONE,
    }


def _resolve(
    team: Team | None, tenant_id: str | None, bot: BotAccount | None
) -> tuple[str, BotAccount]:
    tenant = tenant_id or (team.tenant_id if team else None)
    account = bot or (team.bot if team else None)
    if tenant is None or account is None:
        raise ValueError("pass team=, or both tenant_id= and bot=")
    return tenant, account


def _base(
    kind: str,
    sender: Json,
    *,
    service_url: str,
    bot: BotAccount,
    conversation: Json,
    id: str | None,
) -> Json:
    return {
        "type": kind,
        "id": id or str(uuid.uuid4()),
        "timestamp": _now(),
        "localTimestamp": _now(),
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": sender,
        "conversation": conversation,
        "recipient": bot.account(),
        "entities": [_client_info()],
        "locale": LOCALE,
        "localTimezone": TIMEZONE,
    }


def _channel_data(team: Team, channel_id: str) -> Json:
    return {
        "teamsChannelId": channel_id,
        "teamsTeamId": team.id,
        "channel": {"id": channel_id},
        "team": {"id": team.id, "name": team.name, "aadGroupId": team.aad_group_id},
        "tenant": {"id": team.tenant_id},
    }


def conversation_of(conversation_id: str, tenant_id: str) -> Json:
    """The `conversation` object for an id, inferring its type from the id's shape."""
    kind = conversation_kind(conversation_id)
    conv: Json = {"id": conversation_id, "conversationType": kind, "tenantId": tenant_id}
    if kind != "personal":
        conv["isGroup"] = True
    return conv


def conversation_kind(conversation_id: str) -> ConversationType:
    if conversation_id.startswith("a:"):
        return "personal"
    if ";messageid=" in conversation_id or conversation_id.endswith("@thread.tacv2"):
        return "channel"
    return "groupChat"


def _with_mentions(
    text: str, bot: BotAccount, mention_bot: bool, mentions: Iterable[User]
) -> tuple[str, list[Json]]:
    """Put `<at>` tags in the text (bot first, users appended if absent) plus their entities."""
    entities: list[Json] = []
    if mention_bot:
        text = f"{at(bot.name)} {text}".rstrip()
        entities.append(mention_entity(bot.id, bot.name))
    for user in mentions:
        if at(user.name) not in text:
            text = f"{text} {at(user.name)}"
        entities.append(mention_entity(user.id, user.name))
    return text, entities


def _html(text: str) -> Json:
    return {"contentType": "text/html", "content": f"<p>{text}</p>"}


def _message(text: str, entities: list[Json], base: Json) -> Json:
    base.update(text=text, textFormat="plain", attachments=[_html(text)])
    base["entities"] = entities + base["entities"]
    return base


def channel_message(
    text: str,
    user: User,
    *,
    service_url: str,
    team: Team,
    channel_id: str | None = None,
    thread_id: str | None = None,
    bot: BotAccount | None = None,
    mention_bot: bool = True,
    mentions: Iterable[User] = (),
    id: str | None = None,
) -> Json:
    """A channel post; in the thread `thread_id` when given (conversation id gets `;messageid=`)."""
    bot = bot or team.bot
    channel = channel_id or team.general_channel_id
    conv_id = f"{channel};messageid={thread_id}" if thread_id else channel
    conversation = conversation_of(conv_id, team.tenant_id)
    body, entities = _with_mentions(text, bot, mention_bot, mentions)
    base = _base(
        "message",
        user.account(),
        service_url=service_url,
        bot=bot,
        conversation=conversation,
        id=id,
    )
    base["channelData"] = _channel_data(team, channel)
    return _message(body, entities, base)


def personal_message(
    text: str,
    user: User,
    *,
    service_url: str,
    team: Team | None = None,
    tenant_id: str | None = None,
    bot: BotAccount | None = None,
    conversation_id: str | None = None,
    id: str | None = None,
) -> Json:
    """A 1:1 chat message (no mention needed); conversation id defaults to the emulator's."""
    tenant, account = _resolve(team, tenant_id, bot)
    conversation = conversation_of(conversation_id or personal_conversation_id(user), tenant)
    base = _base(
        "message",
        user.account(),
        service_url=service_url,
        bot=account,
        conversation=conversation,
        id=id,
    )
    base["channelData"] = {"tenant": {"id": tenant}}
    return _message(text, [], base)


def group_message(
    text: str,
    user: User,
    *,
    service_url: str,
    conversation_id: str,
    team: Team | None = None,
    tenant_id: str | None = None,
    bot: BotAccount | None = None,
    mention_bot: bool = True,
    mentions: Iterable[User] = (),
    id: str | None = None,
) -> Json:
    """A group chat message (`19:...@thread.v2`); the bot only hears it when mentioned."""
    tenant, account = _resolve(team, tenant_id, bot)
    body, entities = _with_mentions(text, account, mention_bot, mentions)
    base = _base(
        "message",
        user.account(),
        service_url=service_url,
        bot=account,
        conversation=conversation_of(conversation_id, tenant),
        id=id,
    )
    base["channelData"] = {"tenant": {"id": tenant}}
    return _message(body, entities, base)


def _card_channel_data(conversation: Json, team: Team | None, reply_to_id: str) -> Json:
    data: Json = {"tenant": {"id": conversation["tenantId"]}, "source": {"name": "message"}}
    if team is not None and conversation["conversationType"] == "channel":
        data.update(_channel_data(team, conversation["id"].split(";")[0]))
    data["legacy"] = {"replyToId": reply_to_id}
    return data


def _card_activity(
    kind: str,
    user: User,
    *,
    conversation: str | Mapping[str, Any],
    reply_to_id: str,
    service_url: str,
    team: Team | None,
    tenant_id: str | None,
    bot: BotAccount | None,
    id: str | None,
) -> Json:
    tenant, account = _resolve(team, tenant_id, bot)
    conv = (
        conversation_of(conversation, tenant)
        if isinstance(conversation, str)
        else dict(conversation)
    )
    base = _base(
        kind,
        user.account(),
        service_url=service_url,
        bot=account,
        conversation=conv,
        id=id or f"f:{uuid.uuid4()}",
    )
    base["replyToId"] = reply_to_id
    base["channelData"] = _card_channel_data(conv, team, reply_to_id)
    return base


def card_invoke(
    verb: str,
    data: Mapping[str, Any],
    user: User,
    *,
    conversation: str | Mapping[str, Any],
    reply_to_id: str,
    service_url: str,
    team: Team | None = None,
    tenant_id: str | None = None,
    bot: BotAccount | None = None,
    id: str | None = None,
) -> Json:
    """What Teams sends when a user presses an Action.Execute button on a card."""
    activity = _card_activity(
        "invoke",
        user,
        conversation=conversation,
        reply_to_id=reply_to_id,
        service_url=service_url,
        team=team,
        tenant_id=tenant_id,
        bot=bot,
        id=id,
    )
    activity["name"] = "adaptiveCard/action"
    activity["value"] = {
        "action": {"type": "Action.Execute", "verb": verb, "data": dict(data)},
        "trigger": "manual",
    }
    return activity


def card_submit(
    data: Mapping[str, Any],
    user: User,
    *,
    conversation: str | Mapping[str, Any],
    reply_to_id: str,
    service_url: str,
    team: Team | None = None,
    tenant_id: str | None = None,
    bot: BotAccount | None = None,
    id: str | None = None,
) -> Json:
    """What Teams sends for Action.Submit: a message with no text and `value` = the data."""
    activity = _card_activity(
        "message",
        user,
        conversation=conversation,
        reply_to_id=reply_to_id,
        service_url=service_url,
        team=team,
        tenant_id=tenant_id,
        bot=bot,
        id=id,
    )
    activity["value"] = dict(data)
    return activity


def _install_conversation(team: Team, scope: ConversationType, user: User) -> tuple[Json, Json]:
    """conversation + channelData for an install event in `scope`."""
    if scope == "channel":
        conv = conversation_of(team.general_channel_id, team.tenant_id)
        data = _channel_data(team, team.general_channel_id)
        data["settings"] = {"selectedChannel": {"id": team.general_channel_id}}
        return conv, data
    conv_id = personal_conversation_id(user) if scope == "personal" else new_thread_id("v2")
    return conversation_of(conv_id, team.tenant_id), {"tenant": {"id": team.tenant_id}}


def installation_update(
    action: Literal["add", "remove"] = "add",
    *,
    service_url: str,
    team: Team,
    user: User | None = None,
    scope: ConversationType = "channel",
    selected_channel_id: str | None = None,
    id: str | None = None,
) -> Json:
    """`installationUpdate` as sent when the app is added to (or removed from) a team or chat."""
    installer = user or User("Installer")
    conv, data = _install_conversation(team, scope, installer)
    if selected_channel_id and scope == "channel":
        data["settings"] = {"selectedChannel": {"id": selected_channel_id}}
    data["source"] = None
    activity = _base(
        "installationUpdate",
        installer.account(),
        service_url=service_url,
        bot=team.bot,
        conversation=conv,
        id=id or f"f:{uuid.uuid4()}",
    )
    activity["action"] = action
    activity["channelData"] = data
    return activity


def conversation_update_bot_added(
    *,
    service_url: str,
    team: Team,
    user: User | None = None,
    selected_channel_id: str | None = None,
    id: str | None = None,
) -> Json:
    """`conversationUpdate` with the bot in `membersAdded` (eventType teamMemberAdded)."""
    installer = user or User("Installer")
    conv, data = _install_conversation(team, "channel", installer)
    data["eventType"] = "teamMemberAdded"
    data["settings"] = {"selectedChannel": {"id": selected_channel_id or team.general_channel_id}}
    activity = _base(
        "conversationUpdate",
        installer.account(),
        service_url=service_url,
        bot=team.bot,
        conversation=conv,
        id=id or f"f:{uuid.uuid4()}",
    )
    activity["membersAdded"] = [{"id": team.bot.id}]
    activity["channelData"] = data
    return activity


async def post_activity(
    session: aiohttp.ClientSession,
    bot_base_url: str,
    activity: Mapping[str, Any],
    token: str | None = None,
) -> tuple[int, Any]:
    """POST `activity` to the bot's `/api/messages`; returns (status, parsed JSON or text)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = bot_base_url.rstrip("/") + "/api/messages"
    async with session.post(url, json=dict(activity), headers=headers) as resp:
        text = await resp.text()
        if resp.content_type == "application/json" and text:
            return resp.status, await resp.json()
        return resp.status, text

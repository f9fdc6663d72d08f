"""One inbound activity in our own types: plain dataclasses read from the JSON Teams sends.

Only the fields the bot uses are read. The shape is checked here, on the raw JSON: anything that
is not a Teams activity is the sender's mistake (a 400), never a crash further in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]


@dataclass(frozen=True)
class Account:
    id: str = ""
    name: str = ""
    aad_object_id: str = ""


@dataclass(frozen=True)
class Conversation:
    id: str
    conversation_type: str = ""
    tenant_id: str = ""


@dataclass(frozen=True)
class Activity:
    type: str
    service_url: str
    conversation: Conversation
    sender: Account  # the JSON's "from"
    recipient: Account = field(default_factory=Account)
    id: str = ""
    name: str = ""  # an invoke's name, e.g. "adaptiveCard/action"
    text: str = ""
    value: Any = None
    channel_data: Json = field(default_factory=dict)
    entities: tuple[Json, ...] = ()
    action: str = ""  # an installationUpdate's "add", "add-upgrade", "remove"
    members_added: tuple[Json, ...] = ()

    @property
    def team(self) -> Json:
        return self.channel_data.get("team") or {}

    @property
    def channel_id(self) -> str:
        return str((self.channel_data.get("channel") or {}).get("id") or "")

    @property
    def tenant_id(self) -> str:
        return str((self.channel_data.get("tenant") or {}).get("id") or "") \
            or self.conversation.tenant_id


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _account(raw: Any) -> Account:
    if not isinstance(raw, dict):
        return Account()
    return Account(_text(raw.get("id")), _text(raw.get("name")),
                   _text(raw.get("aadObjectId")))


def parse(body: Any) -> Activity | None:
    """The activity, or None when the JSON is not one Teams would send."""
    if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not body["type"]:
        return None
    url, conv, sender = body.get("serviceUrl"), body.get("conversation"), body.get("from")
    if not (isinstance(url, str) and url.startswith(("https://", "http://"))
            and isinstance(conv, dict) and isinstance(conv.get("id"), str) and conv["id"]
            and isinstance(sender, dict)):
        return None
    cd = body.get("channelData")
    if cd is not None and not (isinstance(cd, dict) and all(
            isinstance(cd.get(k), dict | None) for k in ("team", "channel", "tenant", "settings"))):
        return None  # Teams always sends objects here; anything else is not from Teams
    for key in ("id", "name", "text"):
        if body.get(key) is not None and not isinstance(body[key], str):
            return None
    entities, added = body.get("entities"), body.get("membersAdded")
    for listed in (entities, added):
        if listed is not None and not (isinstance(listed, list)
                                       and all(isinstance(e, dict) for e in listed)):
            return None
    return Activity(
        type=body["type"], service_url=url,
        conversation=Conversation(conv["id"], _text(conv.get("conversationType")),
                                  _text(conv.get("tenantId"))),
        sender=_account(sender), recipient=_account(body.get("recipient")),
        id=_text(body.get("id")), name=_text(body.get("name")), text=_text(body.get("text")),
        value=body.get("value"), channel_data=cd or {}, entities=tuple(entities or ()),
        action=_text(body.get("action")), members_added=tuple(added or ()))

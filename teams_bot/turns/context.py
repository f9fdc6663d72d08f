"""What a handler gets: who is asking, where, and the app's services. No Bot Framework types."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from teams_bot.services import Services
from tracker.model import Actor, Case, PersonRef
from tracker.ports import ChannelRef, Person
from tracker.service import CaseService
from tracker.views import CaseView, case_view


class Commands(Protocol):
    """The command registry, as a handler sees it (`help`, "Save anyway")."""

    commands: tuple[Any, ...]

    def parse(self, text: str) -> Any: ...


@dataclass(frozen=True)
class Where:
    kind: str  # channel | personal | groupChat
    conversation_id: str
    service_url: str
    tenant_id: str
    team_id: str = ""
    channel_id: str = ""

    def channel_ref(self, locality: str = "") -> ChannelRef:
        return ChannelRef(self.service_url, self.tenant_id, self.team_id, self.channel_id,
                          locality)


@dataclass(frozen=True)
class MentionRef:
    teams_id: str
    name: str


@dataclass(frozen=True)
class Reply:
    """An answer to the person who asked: text (with mentions) and/or a card."""

    text: str = ""
    card: dict[str, Any] | None = None
    mentions: tuple[PersonRef, ...] = ()


@dataclass
class Ctx:
    services: Services
    actor: Actor
    where: Where
    mentions: list[MentionRef] = field(default_factory=list)
    resolve_member: Callable[[str], Awaitable[Person | None]] | None = None
    safeguarding_place: bool = False  # a configured safeguarding channel
    registry: Commands | None = None  # set by the turn handler

    @property
    def service(self) -> CaseService:
        return self.services.service

    @property
    def today(self) -> date:
        return self.services.today()

    def view(self, case: Case) -> CaseView:
        s = self.services
        return case_view(case, s.ref, s.today(), s.service.wd)

    def details_allowed(self) -> bool:
        """Full case details only in safeguarding channels and 1:1 chats."""
        return self.safeguarding_place or self.where.kind == "personal"

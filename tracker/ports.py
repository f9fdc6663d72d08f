"""Ports: what the application service needs from the outside world, as Protocols."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from .model import Case, IdKind, PersonRef, State
from .permissions import Grant, Scope


@dataclass(frozen=True)
class ChannelRef:
    """Where the bot can post: our own columns, never SDK objects."""

    service_url: str
    tenant_id: str
    team_id: str
    channel_id: str
    locality: str = ""  # "" = the default safeguarding channel


@dataclass(frozen=True)
class Installation:
    service_url: str
    tenant_id: str
    team_id: str
    channel_id: str
    conversation_id: str
    bot_id: str
    team_name: str = ""


@dataclass(frozen=True)
class Person:
    aad_id: str
    teams_id: str
    name: str
    upn: str = ""

    @property
    def ref(self) -> PersonRef:
        return PersonRef(aad_id=self.aad_id, name=self.name, teams_id=self.teams_id)


@dataclass(frozen=True)
class RoleHolder:
    person: Person
    role: str
    scope: Scope


@dataclass(frozen=True)
class EventRecord:
    case_number: int | None
    kind: str
    actor_teams_id: str
    actor_aad_id: str
    actor_name: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)  # what, old, new, detail
    id: int = 0


class NoticeKind(StrEnum):
    NEW_THREAD = "new_thread"  # post the case card as a new channel thread
    CARD_UPDATE = "card_update"  # re-render the case card in place
    THREAD_REPLY = "thread_reply"  # a reply (text with mentions, or a card) in the case thread
    DIRECT = "direct"  # a 1:1 message to one person
    DIRECT_UPDATE = "direct_update"  # update a 1:1 card we sent earlier
    THREAD_UPDATE = "thread_update"  # update a keyed thread reply we sent earlier
    CHANNEL_POST = "channel_post"  # a post in a channel not tied to a case thread


@dataclass(frozen=True)
class Notice:
    """One outgoing Teams operation, stored in the outbox with the change that caused it."""

    kind: NoticeKind
    case_number: int | None
    text: str = ""
    card: str = ""  # which card to render at delivery ("case", "escalation:2", ...)
    mentions: tuple[PersonRef, ...] = ()
    to: PersonRef | None = None
    channel: ChannelRef | None = None
    key: str = ""  # idempotency key; a second notice with the same key is dropped
    target: str = ""  # *_UPDATE: the key of the earlier message to update


@dataclass(frozen=True)
class CaseFilter:
    scopes: Sequence[Scope] = ()  # visibility; empty = nothing visible
    open_only: bool = True
    locality: str = ""
    due_before: date | None = None
    states: Sequence[State] = ()
    limit: int = 50
    offset: int = 0
    # the tab's table and statistics (tab/): all optional, "" or None = any
    region: str = ""
    closed_only: bool = False
    route: str = ""  # a Route value, or "none" for not yet routed
    review_type: str = ""
    stage: str = ""
    created_from: datetime | None = None
    created_before: datetime | None = None
    closed_from: date | None = None
    closed_before: date | None = None
    order: str = ""  # "" (newest first), "number", "added", "-added", "due", "icb"


@dataclass(frozen=True)
class PeriodRows:
    """What the statistics read from the cases of one area and period, counted by the
    database (tracker/statistics.py turns it into the page's figures)."""

    new_by_route_type: dict[tuple[str, str], int]  # (route, review type) -> new cases; "" = none
    new_converted: dict[str, int]  # review type -> new cases converted from a Rapid Review
    new_themes: list[list[str]]  # each new case's themes
    closed_by_state: dict[str, int]  # state -> cases closed in the period
    published: list[tuple[date, date]]  # (publication day, review start) of those published


class ConcurrentChange(Exception):
    """The row's version moved on between read and write."""


class DuplicateIdentifier(Exception):
    def __init__(self, case_number: int) -> None:
        self.case_number = case_number
        super().__init__(case_number)


class CaseRepo(Protocol):
    async def add(self, case: Case, next_due: date | None) -> int: ...
    async def get(self, number: int) -> Case | None: ...
    async def save(self, case: Case, expected_version: int, next_due: date | None) -> None: ...
    async def find_by_identifier(self, kind: IdKind, value: str) -> int | None: ...
    async def claim_identifiers(self, number: int, ids: Sequence[tuple[IdKind, str]]) -> None: ...
    async def list(self, flt: CaseFilter) -> list[Case]: ...
    async def count(self, flt: CaseFilter) -> int: ...
    async def count_by_locality(self, flt: CaseFilter) -> dict[str, int]: ...
    async def period_rows(self, new: CaseFilter, closed: CaseFilter) -> PeriodRows: ...


class EventLog(Protocol):
    async def append(self, event: EventRecord) -> None: ...
    async def history(self, number: int, offset: int, limit: int) -> list[EventRecord]: ...
    async def count(self, number: int) -> int: ...
    def export(
        self, number: int | None, since: datetime | None
    ) -> AsyncIterator[EventRecord]: ...
    async def remove_free_text(self, number: int) -> int: ...
    async def texts(self, number: int) -> list[tuple[int, str, Any]]: ...  # (event, path, value)
    async def replace_text(self, event_id: int, path: str, value: Any) -> None: ...


class Outbox(Protocol):
    async def enqueue(self, notice: Notice) -> None: ...


class Directory(Protocol):
    async def record_installation(self, inst: Installation) -> bool: ...
    async def installation_for_tenant(self, tenant_id: str) -> Installation | None: ...
    async def set_channel(self, channel: ChannelRef) -> bool: ...
    async def move_channel(self, channel: ChannelRef) -> None: ...
    async def channel_for(self, locality: str) -> ChannelRef | None: ...
    async def channels(self) -> list[ChannelRef]: ...
    async def channel_by_id(self, channel_id: str) -> ChannelRef | None: ...
    async def upsert_person(self, person: Person) -> None: ...
    async def person(self, aad_id: str) -> Person | None: ...
    async def person_by_upn(self, upn: str) -> Person | None: ...
    async def grants_for(self, aad_id: str) -> tuple[Grant, ...]: ...
    async def add_grant(self, aad_id: str, role: str, scope: Scope) -> bool: ...
    async def remove_grant(self, aad_id: str, role: str, scope: Scope) -> bool: ...
    async def holders(self, role: str | None = None) -> list[RoleHolder]: ...
    async def people(self, limit: int = 200) -> list[Person]: ...


@dataclass
class Reminder:
    case_number: int
    kind: str
    due_at: datetime
    repeats: int = 0
    done: bool = False
    snoozed_until: datetime | None = None
    data: dict[str, Any] = field(default_factory=dict)


class Reminders(Protocol):
    async def upsert(self, reminder: Reminder) -> None: ...
    async def get(self, case_number: int, kind: str) -> Reminder | None: ...
    async def for_case(self, case_number: int) -> list[Reminder]: ...


class UnitsOfWork(Protocol):
    """Opens a unit of work. A `read_only` one promises not to write, so it may share one
    transaction with the turn's other reads (storage/lease.py)."""

    def __call__(self, *, read_only: bool = False) -> UnitOfWork: ...


class UnitOfWork(Protocol):
    @property
    def cases(self) -> CaseRepo: ...
    @property
    def events(self) -> EventLog: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def directory(self) -> Directory: ...
    @property
    def reminders(self) -> Reminders: ...

    async def commit(self) -> None: ...
    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(self, *exc: object) -> None: ...

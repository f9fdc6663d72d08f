"""What every use case shares that is not the write path: its answer, tunables and ports."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from ..clock import Clock, today
from ..deadlines import WorkingDays
from ..model import Case
from ..ports import Notice, NoticeKind, UnitsOfWork
from ..reference import Reference


@dataclass(frozen=True)
class Outcome:
    """What a use case returns: the case as it now is, and a confirmation for the user."""

    case: Case
    message: str
    changed: bool = True


@dataclass(frozen=True)
class ServiceOptions:
    """Tunables from configuration that the domain needs."""

    working_hours: tuple[time, time] | None = (time(8, 0), time(18, 0))  # Europe/London
    ack_reminder: timedelta = timedelta(minutes=30)
    ack_escalate: timedelta = timedelta(minutes=60)
    export_base_url: str = ""


@dataclass(frozen=True)
class Deps:
    """The ports and settings, wired once at start-up (see `CaseService`)."""

    uow: UnitsOfWork
    ref: Reference
    clock: Clock
    options: ServiceOptions
    admins: frozenset[str]
    wd: WorkingDays = dataclasses.field(default_factory=WorkingDays)

    def today(self) -> date:
        return today(self.clock)


def card_update(number: int) -> Notice:
    return Notice(NoticeKind.CARD_UPDATE, number, card="case")


def plain(value: Any) -> Any:
    """A value as JSON for an event: dates as ISO text, enums as their value."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: plain(v) for k, v in dataclasses.asdict(value).items()}
    return value

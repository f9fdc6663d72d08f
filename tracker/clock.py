"""Time is a port: production uses the system clock, tests move it forward."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock tests can set and move; always UTC-aware."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)

    def set(self, when: datetime) -> None:
        self._now = when


# --- England's calendar: the one place for the time zone and "today" -----------------------
LONDON = ZoneInfo("Europe/London")


def london(when: datetime) -> datetime:
    """`when` (UTC-aware) as a London wall-clock time, for showing to people."""
    return when.astimezone(LONDON)


def today(clock: Clock) -> date:
    """Today in England (stored times are UTC)."""
    return london(clock.now()).date()

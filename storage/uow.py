"""One unit of work = one database transaction across every repository."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from .cases import SqlCases
from .directory import SqlDirectory
from .events import SqlEvents
from .outbox import SqlOutbox
from .reminders import SqlReminders

_COMMITS: ContextVar[list[int] | None] = ContextVar("sgtracker_commits", default=None)


@contextmanager
def counting_commits() -> Iterator[list[int]]:
    """Count the commits made in this context (an inbound turn): a turn that committed must
    never be reported as "nothing changed", nor be handled again when Teams re-sends it."""
    seen: list[int] = []
    token = _COMMITS.set(seen)
    try:
        yield seen
    finally:
        _COMMITS.reset(token)


def commits_so_far() -> int:
    """Commits counted in this context so far (0 outside `counting_commits`)."""
    seen = _COMMITS.get()
    return len(seen) if seen is not None else 0


class SqlUnitOfWork:
    cases: SqlCases
    events: SqlEvents
    outbox: SqlOutbox
    directory: SqlDirectory
    reminders: SqlReminders

    def __init__(self, engine: AsyncEngine, on_commit: Callable[[], None] | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.now = now
        self.on_commit = on_commit
        self._conn: AsyncConnection | None = None
        self._tx: AsyncTransaction | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        self._conn = await self.engine.connect()
        self._tx = await self._conn.begin()
        self.cases = SqlCases(self._conn)
        self.events = SqlEvents(self._conn)
        self.outbox = SqlOutbox(self._conn, self.now)
        self.directory = SqlDirectory(self._conn)
        self.reminders = SqlReminders(self._conn)
        return self

    async def commit(self) -> None:
        assert self._conn is not None
        await self._conn.commit()
        self._tx = None  # anything after this autobegins a new transaction
        seen = _COMMITS.get()
        if seen is not None:
            seen.append(1)
        if self.on_commit is not None:
            self.on_commit()

    async def __aexit__(self, *exc: object) -> None:
        try:
            if self._conn is not None and self._conn.in_transaction():
                await self._conn.rollback()
        finally:
            if self._conn is not None:
                await self._conn.close()


def uow_factory(engine: AsyncEngine, on_commit: Callable[[], None] | None = None,
                now: Callable[[], datetime] = lambda: datetime.now(UTC),
                ) -> Callable[[], SqlUnitOfWork]:
    return lambda: SqlUnitOfWork(engine, on_commit, now)

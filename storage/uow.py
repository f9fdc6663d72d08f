"""One unit of work = one database transaction across every repository."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, NoReturn, cast

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from .cases import SqlCases
from .directory import SqlDirectory
from .events import SqlEvents
from .hot import ReadOnlyUnit
from .lease import Lease, autocommit, current, self_committing
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


class _Reading:
    """The connection a read-only unit's repositories get. A statement that writes is refused
    before it is sent: on PostgreSQL a read-only unit runs in autocommit, where a write would
    be kept at once, and on SQLite it shares the turn's reads, where it would be dropped."""

    __slots__ = ("plain",)

    def __init__(self, conn: AsyncConnection) -> None:
        self.plain = conn  # storage/hot.py runs its reads on it

    async def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(statement, "is_dml", False):
            raise ReadOnlyUnit(f"a read-only unit of work tried to write ({statement!r})"[:200])
        return await self.plain.execute(statement, *args, **kwargs)

    def begin_nested(self) -> NoReturn:
        raise ReadOnlyUnit("a read-only unit of work tried to write (a savepoint)")


class SqlUnitOfWork:
    cases: SqlCases
    events: SqlEvents
    outbox: SqlOutbox
    directory: SqlDirectory
    reminders: SqlReminders

    def __init__(self, engine: AsyncEngine, on_commit: Callable[[], None] | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 read_only: bool = False) -> None:
        self.engine = engine
        self.now = now
        self.on_commit = on_commit
        self.read_only = read_only
        self._conn: AsyncConnection | None = None
        self._tx: AsyncTransaction | None = None
        self._lease: Lease | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        self._lease = current(self.engine)  # the turn's connection, when there is one
        if self._lease is None:
            self._conn = await self.engine.connect()
        else:
            self._conn = await self._lease.take()
        try:
            if self._conn.in_transaction():
                if self.read_only:  # joins the reads the turn's last unit left open
                    return self._repositories()
                await self._conn.rollback()  # the turn's reads end here; a write has its own
            await autocommit(self._conn, self.read_only)  # PostgreSQL: a read needs no BEGIN
            if not self_committing(self._conn, self.read_only):
                self._tx = await self._conn.begin()
        except BaseException:
            await self._let_go(failed=True)
            raise
        return self._repositories()

    def _repositories(self) -> SqlUnitOfWork:
        assert self._conn is not None
        conn = cast(AsyncConnection, _Reading(self._conn)) if self.read_only else self._conn
        self.cases = SqlCases(conn)
        self.events = SqlEvents(conn)
        self.outbox = SqlOutbox(conn, self.now)
        self.directory = SqlDirectory(conn)
        self.reminders = SqlReminders(conn)
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
        failed = exc[0] is not None
        # On the turn's connection a read leaves its transaction open for the next read: one
        # BEGIN and one ROLLBACK for all of a turn's reads (the lease ends it).
        keep = self.read_only and self._lease is not None and not failed
        try:
            if self._conn is not None and self._conn.in_transaction() and not keep:
                await self._conn.rollback()
        except BaseException:
            failed = True
            raise
        finally:
            await self._let_go(failed)

    async def _let_go(self, failed: bool) -> None:
        if self._lease is not None:
            await self._lease.give_back(failed)
        elif self._conn is not None:
            await self._conn.close()


def uow_factory(engine: AsyncEngine, on_commit: Callable[[], None] | None = None,
                now: Callable[[], datetime] = lambda: datetime.now(UTC),
                ) -> Callable[..., SqlUnitOfWork]:
    def unit(*, read_only: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, on_commit, now, read_only)
    return unit

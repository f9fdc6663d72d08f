"""SQLite statements on the event loop's thread; aiosqlite's thread only where SQLite may wait.

SQLAlchemy's aiosqlite adapter makes four trips to aiosqlite's thread for every statement (open
a cursor, execute, fetch the rows, close the cursor), each a queue put, a wake-up of the event
loop and a future: on a `case N` turn these hand-overs were the largest cost. SQLite answers a
point query in microseconds; one hand-over costs about a hundred. So:

- A transaction's `BEGIN IMMEDIATE` is sent with its first statement (the write lock is still
  taken before anything is read), on the loop's thread with the busy timeout at 0. If the lock
  is taken (another process, another engine), it is made again on aiosqlite's thread with the
  configured timeout, so a wait stalls that request only, never the loop.
- Inside a transaction nothing can wait: every statement, the ROLLBACK and the COMMIT run on
  the loop's thread, rows included. With the write-ahead log and `synchronous=NORMAL` a COMMIT
  only appends to the log, without a disk sync. Copying the log into the database file (a
  checkpoint, which syncs) is SQLite's to do at some COMMIT; here it is switched off there and
  done on the thread instead, with every CHECKPOINT_EVERY-th write's COMMIT.
- A COMMIT or ROLLBACK with no transaction open (one that ran nothing, or the pool's reset when
  a connection comes back) does nothing.
- Anything outside a transaction (the connection's PRAGMAs) goes to the thread, in one trip.

The pool lends the one connection to one unit of work at a time and its statements are awaited
in turn; while a call of ours is still on aiosqlite's thread (after a cancelled await, say),
the next call queues behind it there. So the two threads never use the connection at once.
Everything else (transactions, errors, server-side cursors) is SQLAlchemy's.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

try:  # SQLAlchemy 2.1's adapter layout; anything else keeps the stock driver
    from sqlalchemy.dialects.sqlite.aiosqlite import (
        AsyncAdapt_aiosqlite_connection,
        AsyncAdapt_aiosqlite_cursor,
        AsyncAdapt_aiosqlite_dbapi,
    )
    SUPPORTED = hasattr(AsyncAdapt_aiosqlite_connection, "_cursor_cls")
except ImportError:  # pragma: no cover - other SQLAlchemy versions
    SUPPORTED = False


Ran = tuple[Any, int, Any, list[Any] | None, bool]
T = TypeVar("T")
SQLITE_BUSY = 5
CHECKPOINT_EVERY = 256  # write transactions between checkpoints (a few MB of log, as SQLite's
# own default of 1,000 pages)


def _run(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool,
         begin: str | None) -> Ran:
    """The transaction's BEGIN if still to do, then the whole statement, rows included."""
    cur = conn.cursor()
    try:
        if begin is not None:
            cur.execute(begin)
        if many:
            cur.executemany(operation, parameters)
        elif parameters is None:
            cur.execute(operation)
        else:
            cur.execute(operation, parameters)
        rows = cur.fetchall() if cur.description else None
        return cur.description, cur.rowcount, cur.lastrowid, rows, conn.in_transaction
    finally:
        cur.close()


def _waiting(conn: sqlite3.Connection, timeout_ms: int, work: Any) -> Any:
    """On aiosqlite's thread: `work()` with the configured busy timeout, then back to 0."""
    conn.execute(f"PRAGMA busy_timeout={timeout_ms}")
    try:
        return work()
    finally:
        conn.execute("PRAGMA busy_timeout=0")


def _commit_and_checkpoint(conn: sqlite3.Connection) -> None:
    """On aiosqlite's thread: COMMIT, then copy the log into the database file (PASSIVE: it
    never waits for readers; what it cannot copy now goes next time)."""
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _begin_here(conn: sqlite3.Connection, begin: str) -> bool:
    """BEGIN on the loop's thread; False if the write lock is taken (nothing was done)."""
    try:
        conn.execute(begin)
    except sqlite3.OperationalError as e:
        if getattr(e, "sqlite_errorcode", None) == SQLITE_BUSY:
            return False
        raise
    return True


class _Ran:
    """What SQLAlchemy reads from the cursor after a statement."""

    __slots__ = ("arraysize", "description", "lastrowid", "rowcount")

    def __init__(self) -> None:
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: Any = None
        self.arraysize = 1

    def close(self) -> None:
        pass


if SUPPORTED:
    class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
        __slots__ = ()
        _awaitable_cursor_close = False

        def __init__(self, adapt_connection: Any) -> None:  # no aiosqlite cursor: no hop
            self._adapt_connection = adapt_connection
            self._connection = adapt_connection._connection
            self._cursor = _Ran()  # type: ignore[assignment]
            self._soft_closed_memoized = EMPTY_DICT
            self._rows = collections.deque()

        def execute(self, operation: Any, parameters: Any = None) -> Any:
            try:
                return await_(self._one_hop(operation, parameters, False))
            except Exception as error:
                self._adapt_connection._handle_exception(error)

        def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
            try:
                return await_(self._one_hop(operation, seq_of_parameters, True))
            except Exception as error:
                self._adapt_connection._handle_exception(error)

        async def _one_hop(self, operation: Any, parameters: Any, many: bool) -> None:
            adapted: OneHopConnection = self._adapt_connection  # type: ignore[assignment]
            async with adapted._execute_mutex:
                begin, adapted.begin_pending = adapted.begin_pending, None
                raw = adapted.here()
                if raw is not None and begin is not None and _begin_here(raw, begin):
                    begin, adapted.changes = None, raw.total_changes
                adapted.open = True  # unknown until it returns
                if raw is not None and begin is None and raw.in_transaction:  # no wait: here
                    try:
                        ran = _run(raw, operation, parameters, many, None)
                    finally:
                        adapted.open = raw.in_transaction
                else:
                    if begin is not None:
                        adapted.changes = -1  # not known: its COMMIT counts as a write
                    ran = await adapted.on_thread(
                        lambda conn: _run(conn, operation, parameters, many, begin))
                    adapted.open = ran[4]
            description, rowcount, lastrowid, rows, _ = ran
            cursor = self._cursor
            cursor.description, cursor.rowcount, cursor.lastrowid = description, rowcount, lastrowid  # type: ignore[misc]
            self._rows = collections.deque(rows) if rows is not None else collections.deque()

    class OneHopConnection(AsyncAdapt_aiosqlite_connection):
        __slots__ = ("begin_pending", "changes", "open", "timeout_ms", "wal", "writes",
                     "_on_thread")
        _cursor_cls = OneHopCursor

        def __init__(self, dbapi: Any, connection: Any, timeout_ms: int) -> None:
            super().__init__(dbapi, connection)
            self.begin_pending: str | None = None  # sent with the next statement
            self.open = True  # a transaction may be open on the connection (as SQLite said)
            self.changes = 0  # the connection's total changes when the transaction began
            self.timeout_ms = timeout_ms  # for waits, which happen on aiosqlite's thread
            self._on_thread: list[int] = []  # one per call handed to the thread, until it ends
            self.wal: bool | None = None  # the journal is a write-ahead log (asked once)
            self.writes = 0  # write transactions committed since the last checkpoint

        def here(self) -> sqlite3.Connection | None:
            """The sqlite3 connection, if the loop's thread may use it now: open, and nothing
            of ours still running on aiosqlite's thread (say, after a cancelled await)."""
            raw: sqlite3.Connection | None = self._connection._connection  # type: ignore[attr-defined]
            return None if self._on_thread else raw

        async def on_thread(self, work: Callable[[sqlite3.Connection], T]) -> T:
            """`work` on aiosqlite's thread, where it may wait for the write lock."""
            raw: sqlite3.Connection = self._connection._conn  # type: ignore[attr-defined]
            timeout, running = self.timeout_ms, self._on_thread

            def run() -> T:
                try:
                    return _waiting(raw, timeout, lambda: work(raw))
                finally:
                    running.pop()

            running.append(1)
            return await self._connection._execute(run)  # type: ignore[attr-defined, no-any-return]

        def begin(self, statement: str) -> None:
            self.begin_pending = statement

        def cursor(self, server_side: bool = False) -> Any:
            if server_side and self.begin_pending is not None:  # its own trip, then stream
                begin, self.begin_pending = self.begin_pending, None
                OneHopCursor(self).execute(begin)
            return super().cursor(server_side)

        def commit(self) -> None:
            self.begin_pending = None  # nothing ran: no transaction to end
            if self.open and self._connection._connection is not None:  # type: ignore[attr-defined]
                raw = self.here()
                if raw is not None and (raw.total_changes == self.changes or self._log_room(raw)):
                    raw.commit()  # into the log: no disk sync (WAL, synchronous=NORMAL)
                else:  # now and then, the log goes into the database file: on the thread
                    await_(self.on_thread(_commit_and_checkpoint))
                    self.writes = 0
            self.open = False

        def _log_room(self, raw: sqlite3.Connection) -> bool:
            """True if this write's COMMIT may stay on the loop: the log is SQLite's WAL, and
            it was checkpointed fewer than CHECKPOINT_EVERY writes ago."""
            if self.wal is None:
                self.wal = raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            self.writes += 1
            return self.wal and self.writes < CHECKPOINT_EVERY

        def rollback(self) -> None:
            self.begin_pending = None
            if self.open and self._connection._connection is not None:  # type: ignore[attr-defined]
                raw = self.here()
                if raw is not None:
                    raw.rollback()
                else:
                    await_(self.on_thread(lambda conn: conn.rollback()))
            self.open = False

    class OneHopDbapi(AsyncAdapt_aiosqlite_dbapi):
        def connect(self, *arg: Any, **kw: Any) -> Any:
            timeout_ms = int(float(kw.get("timeout", 5.0)) * 1000)
            kw["check_same_thread"] = False  # statements also run on the loop's thread
            stock = super().connect(*arg, **kw)
            conn = OneHopConnection(self, stock._connection, timeout_ms)
            raw = stock._connection._conn
            raw.execute("PRAGMA busy_timeout=0")  # waits: on the thread
            raw.execute("PRAGMA wal_autocheckpoint=0")  # checkpoints: on the thread (commit)
            return conn


def defer(dbapi_connection: Any, begin: str) -> bool:
    """Send `begin` with the transaction's first statement; False if this is not our driver
    (then the caller runs it now)."""
    if not SUPPORTED or not isinstance(dbapi_connection, OneHopConnection):
        return False
    dbapi_connection.begin(begin)
    return True


def dbapi() -> Any | None:
    """The one-hop DB-API module for `create_async_engine(module=...)`; None to keep stock."""
    if not SUPPORTED:
        return None
    import aiosqlite

    return OneHopDbapi(aiosqlite, sqlite3)

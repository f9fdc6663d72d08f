"""SQLite through aiosqlite's thread with one hop per statement.

SQLAlchemy's aiosqlite adapter makes four trips to aiosqlite's thread for every statement (open
a cursor, execute, fetch the rows, close the cursor), each a queue put, a wake-up of the event
loop and a future: on a `case N` turn these hand-overs were the largest cost. This cursor does
the four in one trip, on the same thread and connection, under the same lock. A transaction's
`BEGIN IMMEDIATE` goes in the same trip as its first statement (so the write lock is still taken
before anything is read); a COMMIT or ROLLBACK with no transaction open on the connection (one
that ran nothing, or the pool's reset when a connection comes back) makes no trip. Everything
else (transactions, errors, server-side cursors) is SQLAlchemy's.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

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


def _run(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool,
         begin: str | None) -> Ran:
    """On aiosqlite's thread: the transaction's BEGIN if still to do, then the whole statement,
    rows included."""
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
            aconn, adapted = self._connection, self._adapt_connection
            async with adapted._execute_mutex:
                begin, adapted.begin_pending = adapted.begin_pending, None  # type: ignore[attr-defined]
                adapted.open = True  # type: ignore[attr-defined]  # unknown until it returns
                description, rowcount, lastrowid, rows, adapted.open = await aconn._execute(  # type: ignore[attr-defined]
                    lambda: _run(aconn._conn, operation, parameters, many, begin))  # type: ignore[attr-defined]
            ran = self._cursor
            ran.description, ran.rowcount, ran.lastrowid = description, rowcount, lastrowid  # type: ignore[misc]
            self._rows = collections.deque(rows) if rows is not None else collections.deque()

    class OneHopConnection(AsyncAdapt_aiosqlite_connection):
        __slots__ = ("begin_pending", "open")
        _cursor_cls = OneHopCursor

        def __init__(self, dbapi: Any, connection: Any) -> None:
            super().__init__(dbapi, connection)
            self.begin_pending: str | None = None  # sent with the next statement
            self.open = True  # a transaction may be open on the connection (as SQLite said)

        def begin(self, statement: str) -> None:
            self.begin_pending = statement

        def cursor(self, server_side: bool = False) -> Any:
            if server_side and self.begin_pending is not None:  # its own trip, then stream
                begin, self.begin_pending = self.begin_pending, None
                OneHopCursor(self).execute(begin)
            return super().cursor(server_side)

        def commit(self) -> None:
            self.begin_pending = None  # nothing ran: no transaction to end
            if self.open:
                super().commit()
                self.open = False

        def rollback(self) -> None:
            self.begin_pending = None
            if self.open:
                super().rollback()
                self.open = False

    class OneHopDbapi(AsyncAdapt_aiosqlite_dbapi):
        def connect(self, *arg: Any, **kw: Any) -> Any:
            stock = super().connect(*arg, **kw)
            return OneHopConnection(self, stock._connection)


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

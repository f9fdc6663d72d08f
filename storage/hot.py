"""The statements of every turn, straight on asyncpg when PostgreSQL runs them outside a
transaction.

A `case N` turn runs three or four small statements (the dedupe insert, the channel, the
grants, the case). On PostgreSQL SQLAlchemy's execution path cost about 75 us of CPU for each
(a greenlet switch, the compiled cache, the DBAPI adapter's lock and cursor, the result
objects) where asyncpg alone cost about 45. A `Hot` statement is still written once, in
SQLAlchemy Core: it is compiled for asyncpg once, its bind parameters go through the same type
processors, and it runs on the connection's asyncpg connection, but only where that
connection is in autocommit (the read-only units and single-statement units of storage/lease.py),
so it can never slip outside a transaction SQLAlchemy has begun. Anywhere else, on SQLite, or
for a statement whose results need a type's processing, it runs through SQLAlchemy as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql import asyncpg as pg_asyncpg
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

_DIALECT = pg_asyncpg.dialect()
_LOST = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError)
Row = Mapping[str, Any]


@dataclass(frozen=True)
class Plan:
    """A statement compiled for asyncpg: its SQL, and how to build its positional values."""

    sql: str
    names: tuple[str, ...]
    defaults: dict[str, Any]
    processors: tuple[Callable[[Any], Any] | None, ...]

    def values(self, params: Mapping[str, Any]) -> list[Any]:
        """The values in order, through their types' checks (a refusal as SQLAlchemy's)."""
        out = []
        try:
            for name, process in zip(self.names, self.processors, strict=True):
                value = params[name] if name in params else self.defaults[name]
                out.append(value if process is None else process(value))
        except Exception as e:
            raise StatementError(str(e), self.sql, None, e) from None
        return out


def plan(statement: ClauseElement, keys: Sequence[str] = ()) -> Plan | None:
    """The asyncpg plan, or None where a result column needs SQLAlchemy's type processing or
    two result columns share a name."""
    compiled = statement.compile(dialect=_DIALECT, column_keys=list(keys) or None)
    assert isinstance(compiled, SQLCompiler)
    columns = getattr(statement, "selected_columns", ())
    names = [c.key for c in columns]
    if len(set(names)) != len(names):
        return None
    if any(c.type.dialect_impl(_DIALECT).result_processor(_DIALECT, None) is not None
           for c in columns):
        return None
    order = tuple(compiled.positiontup or ())
    processors = tuple(compiled.binds[n].type.dialect_impl(_DIALECT).bind_processor(_DIALECT)
                       for n in order)
    return Plan(str(compiled), order, dict(compiled.params), processors)


class ReadOnlyUnit(RuntimeError):
    """A read-only unit of work tried to write: a fault of ours, refused before it was sent."""


class Hot:
    """A statement run on every turn. `keys`: an insert's columns, as it is always given;
    `writes`: it changes rows, so a read-only unit may not run it (even as raw SQL)."""

    def __init__(self, statement: ClauseElement, keys: Sequence[str] = (),
                 writes: bool = False) -> None:
        self.statement = statement
        self.keys = tuple(keys)
        self.writes = writes
        self._plan: Plan | None = None
        self._planned = False

    @property
    def pg(self) -> Plan | None:
        if not self._planned:
            self._plan, self._planned = plan(self.statement, self.keys), True
        return self._plan

    async def rows(self, conn: Any, params: Mapping[str, Any]) -> Sequence[Row]:
        """The statement's rows, each a mapping of column name to value."""
        self._allowed(conn)
        raw, plain = _driver(conn), _plain(conn)
        if raw is None or (p := self.pg) is None:
            return (await conn.execute(self.statement, dict(params))).mappings().all()
        values = p.values(params)
        try:
            return await raw.fetch(p.sql, *values)  # type: ignore[no-any-return]
        except Exception as e:
            raise await _translated(plain, p.sql, e) from None

    async def run(self, conn: Any, params: Mapping[str, Any]) -> None:
        """Run a statement that returns no rows."""
        self._allowed(conn)
        raw, plain = _driver(conn), _plain(conn)
        if raw is None or (p := self.pg) is None:
            await conn.execute(self.statement, dict(params))
            return
        values = p.values(params)
        try:
            await raw.execute(p.sql, *values)
        except Exception as e:
            raise await _translated(plain, p.sql, e) from None


    def _allowed(self, conn: Any) -> None:
        if self.writes and _plain(conn) is not conn:
            raise ReadOnlyUnit("a read-only unit of work tried to write (a turn statement)")


def _plain(conn: Any) -> AsyncConnection:
    """The connection itself, under a read-only unit's guard (storage/uow.py)."""
    return getattr(conn, "plain", conn)  # type: ignore[no-any-return]


def _driver(conn: Any) -> asyncpg.Connection | None:
    """The asyncpg connection, if this is PostgreSQL in autocommit (no transaction to join)."""
    plain = _plain(conn)
    if plain.dialect.name != "postgresql":
        return None
    dbapi = plain.sync_connection._dbapi_connection if plain.sync_connection else None
    if dbapi is None or getattr(dbapi, "isolation_level", None) != "autocommit":
        return None
    return dbapi.driver_connection  # type: ignore[no-any-return]


async def _translated(conn: AsyncConnection, sql: str, error: Exception) -> Exception:
    """asyncpg's errors as SQLAlchemy's, so callers see one kind whatever ran the statement;
    a connection that failed is invalidated, so the pool replaces it."""
    if isinstance(error, asyncpg.IntegrityConstraintViolationError):
        return IntegrityError(sql, None, error)
    if isinstance(error, _LOST):
        await conn.invalidate()
        return OperationalError(sql, None, error, connection_invalidated=True)
    return error

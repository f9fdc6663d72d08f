"""Counting what an engine does: pool checkouts and transactions begun, by SQLAlchemy's own
pool and connection events (no mocks)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@contextmanager
def counted(engine: AsyncEngine, counts: Callable[[], bool] = lambda: True,
            ) -> Iterator[dict[str, int]]:
    """Checkouts and begins on `engine` inside the block, those for which `counts()` is true."""
    seen = {"checkouts": 0, "begins": 0}
    sync = engine.sync_engine

    def counter(kind: str) -> Callable[..., None]:
        def count(*_: Any) -> None:
            if counts():
                seen[kind] += 1
        return count

    checkout, begin = counter("checkouts"), counter("begins")
    event.listen(sync.pool, "checkout", checkout)
    event.listen(sync, "begin", begin)
    try:
        yield seen
    finally:
        event.remove(sync.pool, "checkout", checkout)
        event.remove(sync, "begin", begin)

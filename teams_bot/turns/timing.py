"""Inbound timing: answer card clicks within Teams' time limit.

Teams waits about 5 seconds for the answer to an `adaptiveCard/action` invoke, and re-sends an
activity when the bot takes longer than 15. A click does one database transaction; if that ever
runs long, the person gets a holding answer at `INVOKE_BUDGET` while the work finishes behind it
(its result reaches the case card through the outbox, like any other change).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger("sgtracker.inbound")
INVOKE_BUDGET = 4.0  # seconds; Teams allows an invoke about 5
T = TypeVar("T")
_BACKGROUND: set[asyncio.Task[Any]] = set()

STILL_WORKING = ("Still working on that: the case card in the thread will show the result in a "
                 "moment. No need to click again.")
DUPLICATE = "I already have that click and am working on it. No need to click again."


async def in_time(work: Coroutine[Any, Any, T], budget: float = INVOKE_BUDGET) -> T | None:
    """The result of `work`, or None if it is not done within `budget` seconds; then it carries
    on in the background and is not cancelled."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.wait_for(asyncio.shield(task), budget)
    except TimeoutError:
        _BACKGROUND.add(task)
        task.add_done_callback(_finished)
        log.warning("a card action took longer than %.1fs; answered before it finished", budget)
        return None


def _finished(task: asyncio.Task[Any]) -> None:
    _BACKGROUND.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("a card action failed after its answer", exc_info=task.exception())

"""The reminder worker: every TRACKER_TICK_SECONDS, fire what the ledger says is due."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from storage.reminders import claim_due, release
from teams_bot.services import Services

log = logging.getLogger("sgtracker.reminders")


async def tick(services: Services) -> int:
    """One pass: returns how many reminders were sent."""
    now = services.clock.now()
    due = await claim_due(services.engine, now, timedelta(minutes=2))
    sent = 0
    for reminder in due:
        try:
            if await services.service.fire(reminder):
                sent += 1
        except Exception:
            log.exception("reminder %s for case %s failed", reminder.kind, reminder.case_number)
        finally:
            await release(services.engine, reminder.case_number, reminder.kind)
    if sent:
        services.nudge()
    return sent


async def run(services: Services) -> None:
    while True:
        try:
            await tick(services)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("reminder pass failed")
        await asyncio.sleep(services.settings.tick_seconds)

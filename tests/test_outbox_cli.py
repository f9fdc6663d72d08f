"""`sgtracker outbox`, run as a real process: it lists pending and failed rows with their tries
and last error, and sent ones only when asked."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.db import create_engine
from storage.outbox import OutboxQueue
from storage.uow import uow_factory
from tracker.ports import Notice, NoticeKind

ROOT = Path(__file__).resolve().parents[1]


def sgtracker(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": db}
    return subprocess.run([sys.executable, "-m", "teams_bot.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


async def test_outbox_lists_pending_and_failed(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'tracker.db'}"
    migrated = sgtracker("migrate", db=db)
    assert migrated.returncode == 0, migrated.stderr
    empty = sgtracker("outbox", db=db)
    assert empty.returncode == 0 and "The outbox is empty" in empty.stdout

    now = datetime.now(UTC)
    engine = create_engine(db)
    try:
        async with uow_factory(engine, now=lambda: now)() as u:
            for n in (11, 12, 13):
                await u.outbox.enqueue(Notice(NoticeKind.THREAD_REPLY, n, text=f"about {n}"))
            await u.commit()
        q = OutboxQueue(engine, "test", timedelta(seconds=30))
        first, second, third = await q.claim(now)
        await q.sent(first.id, "act-1", now)
        await q.failed(second.id, "HTTP 403: (BotNotInConversationRoster) blocked", now)
        await q.retry(third.id, "HTTP 429: (Throttled) slow down", now + timedelta(minutes=5))
    finally:
        await engine.dispose()

    listed = sgtracker("outbox", db=db)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0] == "1 pending, 1 failed (times are UK time)"
    body = "\n".join(lines[2:])
    assert "failed   thread_reply     12      1" in body and "BotNotInConversationRoster" in body
    assert "pending  thread_reply     13      1  next try" in body and "429" in body
    assert " 11 " not in body  # sent rows only with --all
    everything = sgtracker("outbox", "--all", db=db)
    assert "sent     thread_reply     11      1  sent " in everything.stdout

"""The Teams tab: the national tracker's table, one case, the ICS meeting agenda and the
statistics, as server-rendered pages inside Teams (docs/tab.md).

It reads through `tracker.service` (the same permission check as the bot) and `storage`, and
knows nothing of Bot Framework: `teams_bot.app` only mounts its routes."""

from .config import TabConfig
from .routes import DEPS, TabDeps, mount

__all__ = ["DEPS", "TabConfig", "TabDeps", "mount"]

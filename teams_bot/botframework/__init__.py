"""The Bot Framework SDK (botbuilder 4.17.1) edge. Support for it ended on 31 Dec 2025; see
docs/deploy.md for the Agents SDK edge beside it."""

from teams_bot.botframework.adapter import BotFrameworkEdge

__all__ = ["BotFrameworkEdge"]

"""Pick the SDK edge named by TRACKER_SDK. The only place that names an SDK folder."""

from __future__ import annotations

from importlib import import_module

from teams_bot.edge import Edge
from teams_bot.settings import SDKS, ConfigError, Settings

EDGES = {"botbuilder": ("teams_bot.botframework", "BotFrameworkEdge"),
         "agents": ("teams_bot.agents", "AgentsEdge")}


def make_edge(settings: Settings) -> Edge:
    if settings.sdk not in EDGES:
        raise ConfigError(f"TRACKER_SDK must be one of {', '.join(SDKS)}, not {settings.sdk!r}.")
    module, name = EDGES[settings.sdk]
    edge: Edge = getattr(import_module(module), name)(settings)
    return edge

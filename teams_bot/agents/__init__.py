"""The Microsoft 365 Agents SDK edge (TRACKER_SDK=agents): inbound JWT checks and outbound
tokens through microsoft_agents 1.9. Nothing here imports botbuilder, and nothing here builds
the SDK's adapter or turn pipeline: our own aiohttp handler and connector do the rest."""

from __future__ import annotations

from teams_bot.agents.edge import AgentsEdge, create_edge

__all__ = ["AgentsEdge", "create_edge"]

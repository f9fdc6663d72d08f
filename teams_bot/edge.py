"""What the product needs from a Bot Framework SDK, and no more: the port each SDK folder fills.

`TRACKER_SDK` picks the folder (teams_bot/botframework/ for botbuilder 4.17.1, teams_bot/agents/
for the Microsoft 365 Agents SDK). Everything else speaks plain JSON through our own connector
(teams_bot/outbound/connector.py): an SDK only checks who sent an activity and gets the token
our answers are sent with.
"""

from __future__ import annotations

from typing import Any, Protocol


class Unauthorized(Exception):
    """The activity is not signed for this bot (401); never the sender's details in the text."""


class KeysUnavailable(Exception):
    """The signing keys could not be fetched: our fault, not the sender's (a 503 to retry)."""


class Edge(Protocol):
    """One SDK's inbound check and outbound token."""

    name: str  # "botbuilder" | "agents"

    async def authenticate(self, auth_header: str, activity: dict[str, Any]) -> None:
        """Return if `activity` (the raw JSON) was sent to this bot by the channel; else raise
        Unauthorized (or KeysUnavailable). In local mode (no app id) anything passes."""

    async def token(self, service_url: str) -> str | None:
        """A bearer token for calls to the Bot Connector at `service_url`; None in local mode
        (no Authorization header)."""

    async def close(self) -> None: ...

"""The Bot Framework adapter, configured from our settings."""

from __future__ import annotations

import logging
from types import SimpleNamespace

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter

from .inbound_auth import StrictAuthentication, auth_config
from .settings import Settings

log = logging.getLogger("sgtracker.adapter")


def bot_config(settings: Settings) -> SimpleNamespace:
    """The attribute names botbuilder reads (see teams_bot/inbound_auth.py)."""
    return auth_config(settings)


def make_adapter(settings: Settings) -> CloudAdapter:
    adapter = CloudAdapter(StrictAuthentication(bot_config(settings)))

    async def on_error(context: TurnContext, error: Exception) -> None:
        log.exception("unhandled error in a turn", exc_info=error)
        try:
            await context.send_activity("Sorry, something went wrong on my side and nothing "
                                        "was changed.")
        except Exception:
            log.warning("could not tell the user about the error")

    adapter.on_turn_error = on_error
    return adapter

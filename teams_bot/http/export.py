"""GET /export/<token>.csv|.xlsx: the tracker records as a file, for a valid signed link only."""

from __future__ import annotations

import logging

from aiohttp import web

from tab.downloads import TYPES, as_csv, as_xlsx, download, safe
from teams_bot.export_link import FORMATS, read_token
from teams_bot.http import keys as K
from teams_bot.services import Services
from tracker.errors import TrackerError
from tracker.model import Actor

log = logging.getLogger("sgtracker.export")
__all__ = ["TYPES", "as_csv", "as_xlsx", "handle_export", "safe"]


def _refuse(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text, headers={"Cache-Control": "no-store"})


async def handle_export(request: web.Request) -> web.Response:
    services: Services = request.app[K.SERVICES]
    token, _, fmt = request.match_info["name"].rpartition(".")
    if fmt not in FORMATS or not token:
        return _refuse(404, "Not found.")
    grant = read_token(services.settings.export_secret, token, services.clock.now())
    if grant is None:
        return _refuse(403, "This export link has expired or is not valid. Ask the bot for a "
                            "new one: message it `export`.")
    actor = Actor(teams_id="", aad_id=grant.aad_id, name=grant.name)
    try:
        rows = await services.service.export_records(actor, grant.locality)
    except TrackerError as e:
        return _refuse(403, str(e))
    body = as_csv(rows) if fmt == "csv" else as_xlsx(rows)
    log.info("export: %d cases as %s", len(rows), fmt)
    return download(body, fmt, services.today())

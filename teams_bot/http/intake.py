"""POST /api/incidents: how a secure-inbox or Power Automate flow forwards StEIS notifications."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from aiohttp import web

from teams_bot.http import keys as K
from teams_bot.http.ratelimit import address_of, key_client, limit
from teams_bot.services import Services
from teams_bot.turns.textguard import bad_text, plain_where
from tracker.errors import InvalidInput, NotConfigured
from tracker.model import SYSTEM

log = logging.getLogger("sgtracker.intake")


def _error(status: int, **body: Any) -> web.Response:
    return web.json_response(body, status=status)


def authorised(request: web.Request, key: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not key or scheme.lower() != "bearer" or not token:
        return False
    try:  # a header with bytes that aren't text can't be our key
        given = token.strip().encode("utf-8")
    except UnicodeError:
        return False
    return hmac.compare_digest(given, key.encode("utf-8"))


async def handle_incident(request: web.Request) -> web.Response:
    services: Services = request.app[K.SERVICES]
    if not services.settings.intake_api_key:
        return _error(503, error="The intake API is switched off: set INTAKE_API_KEY.")
    # The key is checked first: wrong keys use up their address's allowance, never the key's,
    # so a flood of guesses can't lock the real sender out (it has its own bucket).
    if not authorised(request, services.settings.intake_api_key):
        if (refused := limit(request, address_of(request))) is not None:
            return refused
        return _error(401, error="Send the intake key in the Authorization header: Bearer, a "
                                 "space, then the key.")
    if (refused := limit(request, key_client(services.settings.intake_api_key))) is not None:
        return refused
    if request.content_type != "application/json":
        return _error(415, error="Send JSON with Content-Type: application/json.")
    try:
        raw = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _error(400, errors={"body": "The body is not valid JSON."})
    if (where := bad_text(raw)) is not None:
        return _error(400, errors={plain_where(where): "This holds characters that are not "
                                                       "text (control characters or a broken "
                                                       "character). Nothing was saved."})
    svc = services.service
    try:
        form = svc.parse_intake(raw, services.today(), mask_patient_data=True)
        case, created = await svc.log_incident(SYSTEM, form)
    except InvalidInput as e:
        return _error(400, errors=e.errors)
    except NotConfigured as e:
        return _error(409, error=str(e))
    services.nudge()
    log.info("intake: case %s %s", case.number, "created" if created else "already known")
    body: dict[str, Any] = {"case_number": case.number}
    if created and form.masked:
        body["masked"] = {k: list(v) for k, v in form.masked.items()}
    return web.json_response(body, status=201 if created else 200)

"""POST /api/messages: one activity from Teams, checked in this order, each failure a 4xx that
changes nothing: JSON, text, shape, tenant, signature (by the SDK edge). Then one turn."""

from __future__ import annotations

import json
import logging

from aiohttp import web

from teams_bot.edge import Edge, KeysUnavailable, Unauthorized
from teams_bot.http import keys as K
from teams_bot.outbound.replies import Origin, TurnReplies
from teams_bot.settings import Settings
from teams_bot.turns.activity import Activity, parse
from teams_bot.turns.handler import TurnHandler
from teams_bot.turns.textguard import USER_CONTENT, bad_text, may_hold_bad_text, plain_where

log = logging.getLogger("sgtracker")


def _error(message: str, status: int) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def handle_messages(request: web.Request) -> web.StreamResponse:
    if request.content_type != "application/json":
        return _error("Send JSON (application/json).", 415)
    try:
        raw = await request.read()
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _error("The body is not valid JSON.", 400)
    if may_hold_bad_text(raw) and \
            (where := bad_text(body, skip=USER_CONTENT)) is not None:  # typed text: see turns/
        return _error(f"'{plain_where(where)}' holds characters that are not text (control "
                      "characters or a broken character).", 400)
    activity = parse(body)
    if activity is None:
        return _error("Not a Bot Framework activity.", 400)
    if not ours(request.app[K.SETTINGS], activity):
        log.warning("activity refused: another tenant (type %s)", activity.type[:40])
        return _error("This bot serves one organisation only.", 403)
    edge: Edge = request.app[K.EDGE]
    try:
        await edge.authenticate(request.headers.get("Authorization", ""), body)
    except Unauthorized:
        log.warning("inbound activity refused: not authenticated")
        return _error("Unauthorized.", 401)
    except KeysUnavailable:
        log.error("could not fetch the Bot Framework signing keys (OpenID metadata)")
        return _error("The bot cannot check signatures just now; please retry.", 503)
    handler: TurnHandler = request.app[K.BOT]
    answer = await handler.handle(activity, replies_for(request.app, activity))
    if answer is not None:
        return web.json_response(answer.body, status=answer.status) if answer.body \
            else web.Response(status=answer.status)
    return web.Response(status=201)


def replies_for(app: web.Application, a: Activity) -> TurnReplies:
    origin = Origin(a.service_url, a.conversation.id, a.id,
                    (a.recipient.id, a.recipient.name), (a.sender.id, a.sender.name),
                    str(a.team.get("id") or ""))
    return TurnReplies(app[K.GATEWAY], app[K.DELIVERY].pacer, origin)


def ours(settings: Settings, activity: Activity) -> bool:
    """With MicrosoftAppTenantId set, only activities from that tenant are handled."""
    if not settings.app_tenant_id:
        return True
    return activity.tenant_id.lower() == settings.app_tenant_id.lower()


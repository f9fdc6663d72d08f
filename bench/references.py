"""The two reference bots the inbound benchmark measures beside ours, in the same run.

- `echo`: a bare botbuilder bot (CloudAdapter, ActivityHandler) that replies one text. It is what
  the Bot Framework samples build, with nothing of ours in it.
- `ideal`: a plain aiohttp handler that parses the activity and posts one reply over a shared
  client session. No bot that answers through Bot Connector can beat that floor.

Run one as its own process: `python -m bench.references echo|ideal <port>`.
"""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace

import aiohttp
from aiohttp import web


def echo_app() -> web.Application:
    from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )

    config = SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant",
                             APP_TENANTID="")
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))

    class EchoBot(ActivityHandler):
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity(
                MessageFactory.text(f"Echo: {turn_context.activity.text}"))

    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, bot) or web.Response(status=201)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def ideal_app() -> web.Application:
    state: dict[str, aiohttp.ClientSession] = {}

    async def session(app: web.Application):  # type: ignore[no-untyped-def]
        state["s"] = aiohttp.ClientSession()
        yield
        await state["s"].close()

    async def messages(request: web.Request) -> web.StreamResponse:
        a = json.loads(await request.read())
        conv = a["conversation"]["id"]
        reply = {"type": "message", "text": f"Echo: {a.get('text', '')}", "replyToId": a["id"],
                 "from": a["recipient"], "recipient": a["from"], "conversation": a["conversation"]}
        url = f"{a['serviceUrl'].rstrip('/')}/v3/conversations/{conv}/activities/{a['id']}"
        async with state["s"].post(url, json=reply) as r:
            await r.read()
        return web.Response(status=201)

    app = web.Application()
    app.cleanup_ctx.append(session)
    app.router.add_post("/api/messages", messages)
    return app


def main() -> None:
    kind, port = sys.argv[1], int(sys.argv[2])
    app = echo_app() if kind == "echo" else ideal_app()
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main()

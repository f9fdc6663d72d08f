"""The tab's routes. Page URLs (/tab/, /tab/case/N, /tab/meeting, /tab/stats) answer a shell
with no data; its script signs in (Teams SSO, or the local try-out's pick) and loads the
page's content from /tab/api/..., which needs the Bearer token: any failure there is 401 with
no data."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from cards.components import day, sentence, when
from storage.threads import Threads
from tracker.clock import Clock
from tracker.errors import NotFound, PermissionDenied, TrackerError
from tracker.model import Actor
from tracker.privacy import mask_nhs_numbers
from tracker.service import CaseService

from . import pages
from .auth import TokenCheck, actor_for, local_as
from .charts import svg_data_url
from .config import TEAMS_ORIGINS, TabConfig

log = logging.getLogger("sgtracker.tab")
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class TabDeps:
    service: CaseService
    engine: AsyncEngine
    clock: Clock


DEPS = web.AppKey("tab_deps", TabDeps)
CONFIG = web.AppKey("tab_config", TabConfig)
TOKENS = web.AppKey("tab_tokens", TokenCheck)
JINJA = web.AppKey("tab_jinja", jinja2.Environment)
WARMING = web.AppKey("tab_warming", asyncio.Task)

CSP = "; ".join([
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "connect-src 'self'", "font-src 'self'", "base-uri 'none'", "form-action 'self'",
    "frame-ancestors " + " ".join(TEAMS_ORIGINS)])
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
SHELLS = {"cases": "Cases", "case": "Case", "meeting": "ICS meeting", "stats": "Statistics"}


def mount(app: web.Application, config: TabConfig) -> None:
    """Add the tab's routes to `app`; `app[DEPS]` must be set before the first request."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["masked"] = lambda v: mask_nhs_numbers(str(v)) if v else ""
    env.filters["day"] = day
    env.filters["when"] = when
    env.filters["sentence"] = sentence
    app[CONFIG] = config
    app[TOKENS] = TokenCheck(config)
    app[JINJA] = env
    r = app.router
    r.add_get("/tab", lambda req: _redirect("/tab/"))
    r.add_get("/tab/", _shell("cases"))
    r.add_get("/tab/case/{number}", _shell("case"))
    r.add_get("/tab/meeting", _shell("meeting"))
    r.add_get("/tab/stats", _shell("stats"))
    r.add_get("/tab/configure", _configure)
    r.add_get("/tab/api/cases", _api(pages.cases))
    r.add_get("/tab/api/case/{number}", _api(pages.case))
    r.add_get("/tab/api/meeting", _api(pages.meeting))
    r.add_get("/tab/api/stats", _api(pages.stats))
    r.add_get("/tab/api/export.{fmt}", _api(pages.export))
    r.add_static("/tab/static/", HERE / "static", append_version=False)
    app.on_startup.append(_warm_charts)


async def _warm_charts(app: web.Application) -> None:
    """The chart renderer starts a JavaScript engine on first use (a second or more): start it
    in the background now, so that the first person to open Statistics doesn't wait for it."""
    app[WARMING] = asyncio.create_task(asyncio.to_thread(svg_data_url, "", (("", 0),), ""))


async def _redirect(to: str) -> web.Response:
    raise web.HTTPFound(to)


def render(request: web.Request, template: str, status: int = 200, **values: Any) -> web.Response:
    html = request.app[JINJA].get_template(template).render(**values)
    return web.Response(text=html, status=status, content_type="text/html", headers=HEADERS)


def _shell(page: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        config = request.app[CONFIG]
        picked = local_as(config, request.query.get("as", ""))
        if config.local_mode and picked is None:
            people = await request.app[DEPS].service.people_seen()
            return render(request, "picker.html", people=people, title="Try the tab",
                          page=page, local=True, as_id="")
        api = request.path.replace("/tab/", "/tab/api/", 1).rstrip("/")
        api = "/tab/api/cases" if api == "/tab/api" else api
        query = request.query_string
        return render(request, "shell.html", title=SHELLS[page], page=page,
                      local=config.local_mode, as_id=picked or "",
                      src=api + (f"?{query}" if query else ""))
    return handler


async def _configure(request: web.Request) -> web.Response:
    return render(request, "configure.html", title="Add the tracker tab", page="configure",
                  local=request.app[CONFIG].local_mode, as_id="")


async def who(request: web.Request) -> Actor | None:
    config: TabConfig = request.app[CONFIG]
    deps: TabDeps = request.app[DEPS]
    if config.local_mode:
        aad = local_as(config, request.headers.get("X-Tab-As", ""))
        if aad is None:
            return None
        async with deps.service.uow() as uow:
            person = await uow.directory.person(aad)
        if person is None:
            return None
        return Actor(teams_id=person.teams_id, aad_id=aad, name=person.name, upn=person.upn)
    claims = await request.app[TOKENS].claims(request.headers.get("Authorization", ""))
    if claims is None:
        return None
    async with deps.service.uow() as uow:
        person = await uow.directory.person(claims.oid)
    return actor_for(claims, person.teams_id if person else "", person.name if person else "")


Page = Callable[[web.Request, Actor], Awaitable[web.StreamResponse]]


def _api(page: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        response = await _answer(request)
        # the server's own time, for the browser's developer tools and bench/tab_bench.py
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        return response

    async def _answer(request: web.Request) -> web.StreamResponse:
        actor = await who(request)
        if actor is None:
            return web.Response(status=401, text="Sign-in failed: open this tab in Teams.",
                                headers={**HEADERS, "WWW-Authenticate": "Bearer"})
        try:
            return await page(request, actor)
        except NotFound as e:
            return render(request, "message.html", status=404, text=str(e))
        except PermissionDenied as e:
            return render(request, "message.html", status=403, text=str(e))
        except TrackerError as e:
            return render(request, "message.html", status=400, text=mask_nhs_numbers(str(e)))
    return handler


def picked(request: web.Request) -> str:
    """In local mode, the AAD object id of the person picked in the try-out."""
    return local_as(request.app[CONFIG], request.headers.get("X-Tab-As", "")) or ""


async def thread_link(request: web.Request, number: int) -> str:
    """A deep link to the case's thread in Teams, when the bot has posted it."""
    ref = await Threads(request.app[DEPS].engine).get(number)
    if ref is None or not ref.activity_id:
        return ""
    from urllib.parse import quote, urlencode
    q = urlencode({"tenantId": ref.tenant_id, "parentMessageId": ref.activity_id})
    return (f"https://teams.microsoft.com/l/message/{quote(ref.channel_id, safe='')}/"
            f"{quote(ref.activity_id, safe='')}?{q}")


async def off_loop(fn: Callable[[], Any]) -> Any:
    return await asyncio.to_thread(fn)

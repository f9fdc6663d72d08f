"""The content of each page, for someone already signed in: the same service calls as the
bot's commands (`cases`, `case N`, `history`, `agenda`, `export`), so the same `can()`."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from cards.agenda import agenda_groups, is_late, late_actions, stage_of
from tracker.audit import entry
from tracker.deadlines import WorkingDays
from tracker.errors import InvalidInput, NotFound
from tracker.export import HEADINGS, export_row
from tracker.model import REVIEW_LABELS, Actor, Case
from tracker.permissions import can
from tracker.statistics import Period, month_of, parse_period
from tracker.views import CaseView, case_view

from . import filters, routes
from .charts import Chart
from .downloads import as_csv, as_xlsx, download

WD = WorkingDays()
TARGET_DAYS = 183  # six months, as days for the chart
LIST_CHARS = 90  # long free text is cut in the table; the case page shows it whole
HISTORY_MAX = 200


def url(request: web.Request, path: str, query: str = "") -> str:
    """A page URL, carrying the local try-out's pick."""
    aad = routes.picked(request)
    if aad:
        query = "&".join(x for x in (query, urlencode({"as": aad})) if x)
    return path + (f"?{query}" if query else "")


def fragment(request: web.Request, template: str, push: str = "", **values: Any) \
        -> web.Response:
    response = routes.render(request, template, url=lambda p, q="": url(request, p, q),
                             **values)
    if push:
        response.headers["HX-Push-Url"] = push
    return response


def _views(cases: list[Case], request: web.Request) -> list[CaseView]:
    service = request.app[routes.DEPS].service
    today = service.today()
    return [case_view(c, service.ref, today, WD) for c in cases]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LIST_CHARS else text[:LIST_CHARS - 1] + "…"


async def cases(request: web.Request, actor: Actor) -> web.Response:
    service = request.app[routes.DEPS].service
    q = filters.parse(request.query, service.ref)
    areas = await service.areas(actor)
    found, total = await service.browse(actor, q.to_filter(service.today()))
    pages = max(1, -(-total // filters.PAGE_SIZE))
    views = _views(found, request)
    rows = [(v, is_late(v), [_short(cell) for cell in export_row(v.case, service.ref)])
            for v in views]
    only_results = request.headers.get("HX-Target") == "results"
    return fragment(
        request, "results.html" if only_results else "cases.html",
        push=url(request, "/tab/", q.params()), q=q, rows=rows, total=total, pages=pages,
        headings=HEADINGS, areas=areas, ref=service.ref, f=filters,
        stages=service.ref.options["review_stages"])


async def case(request: web.Request, actor: Actor) -> web.Response:
    service = request.app[routes.DEPS].service
    try:
        number = int(request.match_info["number"])
    except ValueError:
        raise NotFound(None) from None
    found = await service.get_case(actor, number)
    view = _views([found], request)[0]
    access = await service.access(actor)
    timeline = None
    if can(service.ref, access, "history", found):
        page = await service.history(actor, number, 0, HISTORY_MAX)
        timeline = [entry(e) for e in page.items]
    record = list(zip(HEADINGS, export_row(found, service.ref), strict=True))
    return fragment(request, "case.html", push=url(request, f"/tab/case/{number}"),
                    view=view, c=found, record=record, timeline=timeline,
                    late=is_late(view), late_actions=late_actions(view),
                    thread=await routes.thread_link(request, number), ref=service.ref)


async def meeting(request: web.Request, actor: Actor) -> web.Response:
    service = request.app[routes.DEPS].service
    areas = await service.areas(actor)
    icb = request.query.get("icb", "")
    icb = icb if icb in areas.localities else ""
    views = _views(await service.agenda(actor, icb), request)
    groups = agenda_groups(views)
    name = service.ref.localities[icb].name if icb else "all ICBs you can see"
    return fragment(request, "meeting.html", push=url(request, "/tab/meeting",
                                                      urlencode({"icb": icb}) if icb else ""),
                    groups=groups, icb=icb, name=name, areas=areas, ref=service.ref,
                    stage_of=stage_of, is_late=is_late, late_actions=late_actions,
                    today=service.today(), review_labels=REVIEW_LABELS)


def period_choices(today: date) -> list[tuple[str, str]]:
    """The last twelve months and the last eight quarters, newest first."""
    out = []
    month = month_of(today)
    for _ in range(12):
        out.append((month.key, month.label))
        month = month_of(date.fromordinal(month.start.toordinal() - 1))
    year, q = today.year, (today.month - 1) // 3 + 1
    for _ in range(8):
        p = parse_period(f"{year}-Q{q}")
        assert p is not None
        out.append((p.key, p.label))
        year, q = (year, q - 1) if q > 1 else (year - 1, 4)
    return out


async def stats(request: web.Request, actor: Actor) -> web.Response:
    service = request.app[routes.DEPS].service
    areas = await service.areas(actor)
    today = service.today()
    period: Period = parse_period(request.query.get("period", "")) or month_of(today)
    kind, _, key = request.query.get("area", "").partition(":")
    locality = key if kind == "icb" and key in areas.localities else ""
    region = key if kind == "region" and key in areas.regions else ""
    if kind and not (locality or region):
        raise InvalidInput({"area": "Choose an ICB or a region from the list."})
    fig = await service.statistics(actor, period, locality=locality, region=region)
    where = service.ref.localities[locality].name if locality else \
        service.ref.regions.get(region, region) if region else "everything you can see"
    charts = [
        Chart("paths", "New cases by path", tuple(fig.new_by_path)),
        Chart("types", "New cases by review type", tuple(fig.new_by_type)),
        Chart("rapid", "Rapid Reviews and conversions to a CSPR", tuple(fig.rapid)),
        Chart("outcomes", "Reviews closed, published and embargoed", tuple(fig.outcomes)),
        Chart("publication", "Median days to publication against the six-month target",
              (("Median", round(fig.median_days)), ("Six-month target", TARGET_DAYS))
              if fig.median_days is not None else (), unit="Days"),
        Chart("late", "Open cases past a deadline, by ICB (today)", tuple(fig.past_deadline)),
        Chart("themes", "Themes of new cases", tuple(fig.themes)),
    ]
    await routes.off_loop(lambda: [c.image for c in charts])  # drawn off the event loop
    area = f"{kind}:{locality or region}" if (locality or region) else ""
    query = urlencode({k: v for k, v in (("area", area), ("period", period.key)) if v})
    return fragment(request, "stats.html", push=url(request, "/tab/stats", query), fig=fig,
                    charts=charts, period=period, where=where, areas=areas, area=area,
                    ref=service.ref, choices=period_choices(today))


async def export(request: web.Request, actor: Actor) -> web.StreamResponse:
    service = request.app[routes.DEPS].service
    fmt = request.match_info["fmt"]
    if fmt not in ("csv", "xlsx"):
        raise NotFound(None, "file")
    q = filters.parse(request.query, service.ref)
    rows = await service.export_view(actor, q.to_filter(service.today()))
    body = as_csv(rows) if fmt == "csv" else as_xlsx(rows)
    return download(body, fmt, service.today())

"""GET /export/<token>.csv|.xlsx: the tracker records as a file, for a valid signed link only."""

from __future__ import annotations

import csv
import io
import logging

from aiohttp import web
from openpyxl import Workbook
from openpyxl.styles import Font

from tracker.errors import TrackerError
from tracker.export import HEADINGS
from tracker.model import Actor

from . import keys as K
from .export_link import FORMATS, read_token
from .services import Services

log = logging.getLogger("sgtracker.export")
TYPES = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def safe(cell: str) -> str:
    """Stop a spreadsheet reading text as a formula (CSV injection)."""
    return "'" + cell if cell.startswith(_FORMULA) else cell


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    writer.writerows([[safe(c) for c in row] for row in rows])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def as_xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Tracker"
    sheet.append(list(HEADINGS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe(c) for c in row])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
    stamp = f"{services.today():%Y-%m-%d}"
    log.info("export: %d cases as %s", len(rows), fmt)
    return web.Response(body=body, headers={
        "Content-Type": TYPES[fmt], "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'attachment; filename="safeguarding-tracker-{stamp}.{fmt}"'})

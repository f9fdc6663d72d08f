"""The tracker as a file: CSV (UTF-8 with a BOM, for Excel) or Excel, in the national field
order, with spreadsheet formulas defused. Shared by the bot's export links
(teams_bot/export_api.py) and the tab's Download buttons."""

from __future__ import annotations

import csv
import io
from datetime import date

from aiohttp import web
from openpyxl import Workbook
from openpyxl.styles import Font

from tracker.export import HEADINGS

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


def download(body: bytes, fmt: str, today: date) -> web.Response:
    name = f"safeguarding-tracker-{today:%Y-%m-%d}.{fmt}"
    return web.Response(body=body, headers={
        "Content-Type": TYPES[fmt], "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'attachment; filename="{name}"'})

"""Reading a roles CSV: role, locality, user principal name (and optionally display name,
AAD object id, Teams id). A header row is optional; without one the columns are in that order."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

COLUMNS = ("role", "locality", "upn", "name", "aad_id", "teams_id")
_HEADERS = {
    "role": "role", "locality": "locality", "icb": "locality", "scope": "locality",
    "upn": "upn", "userprincipalname": "upn", "user": "upn", "email": "upn",
    "name": "name", "displayname": "name",
    "aadobjectid": "aad_id", "objectid": "aad_id", "aadid": "aad_id", "entraobjectid": "aad_id",
    "teamsid": "teams_id",
}
MAX_ROWS = 5000


@dataclass(frozen=True)
class RoleRow:
    line: int
    role: str
    locality: str
    upn: str
    name: str = ""
    aad_id: str = ""
    teams_id: str = ""


def _key(header: str) -> str:
    return _HEADERS.get(re.sub(r"[^a-z]", "", header.lower()), "")


def parse_roles_csv(text: str) -> tuple[list[RoleRow], list[str]]:
    """Rows to import, and a problem line for each row that can't be read."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        return [], ["The file is empty."]
    header = [_key(h) for h in rows[0]]
    start = 1
    if "role" not in header:  # no header row: the documented column order
        header, start = list(COLUMNS), 0
    elif "upn" not in header and "aad_id" not in header:
        return [], ["The header needs a 'user principal name' (or 'aad object id') column."]
    out: list[RoleRow] = []
    problems: list[str] = []
    for number, raw in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in raw):
            continue
        if len(out) >= MAX_ROWS:
            problems.append(f"line {number}: more than {MAX_ROWS} rows; the rest were skipped.")
            break
        cells = {k: raw[i].strip() for i, k in enumerate(header) if k and i < len(raw)}
        missing = [label for k, label in (("role", "role"), ("locality", "locality"))
                   if not cells.get(k)]
        if not cells.get("upn") and not cells.get("aad_id"):
            missing.append("user principal name")
        if missing:
            problems.append(f"line {number}: missing {', '.join(missing)}.")
            continue
        out.append(RoleRow(line=number, role=cells["role"], locality=cells["locality"],
                           upn=cells.get("upn", ""), name=cells.get("name", ""),
                           aad_id=cells.get("aad_id", ""), teams_id=cells.get("teams_id", "")))
    return out, problems

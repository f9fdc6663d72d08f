"""The export: one row per case in the national tracker's field order, scoped to the asker's
roles, served as CSV and XLSX behind a short-lived signed token."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from teams_bot.export_link import make_token, read_token
from teams_bot.http.export import as_csv, as_xlsx, safe
from tests.support.path1 import DESIGNATED, LEAD, NOBODY, World, cspr_case, open_world
from tracker.clock import FixedClock
from tracker.errors import PermissionDenied
from tracker.export import HEADINGS
from tracker.model import Actor, PersonRef
from tracker.permissions import Scope, ScopeKind
from tracker.ports import Person

DEV = PersonRef(DESIGNATED.aad_id, DESIGNATED.name, DESIGNATED.teams_id)
KENT_LEAD = Actor(teams_id="29:kim", aad_id="aad-kim", name="Kim Kent")


def test_columns_follow_the_national_tracker() -> None:
    assert HEADINGS[:7] == ("Case number", "StEIS number", "Local reference number", "Status",
                            "Date of incident", "Date added", "Designated professional")
    assert HEADINGS[-7:] == ("Locality", "Publication date", "Link to final report",
                             "Recommendations", "Themes", "Actions required",
                             "Learning dissemination")
    assert HEADINGS.index("Type of review") < HEADINGS.index("Report signed off date") < \
        HEADINGS.index("Review stage")


def test_tokens_are_signed_and_short_lived() -> None:
    now = datetime(2026, 11, 24, 10, tzinfo=UTC)
    token = make_token("s3cret", LEAD, "devon", now)
    grant = read_token("s3cret", token, now + timedelta(minutes=14))
    assert grant is not None and (grant.aad_id, grant.locality) == (LEAD.aad_id, "devon")
    assert read_token("s3cret", token, now + timedelta(minutes=16)) is None
    assert read_token("other", token, now) is None
    payload, _, sig = token.partition(".")
    forged = make_token("s3cret", NOBODY, "devon", now).partition(".")[0] + "." + sig
    assert read_token("s3cret", forged, now) is None
    assert read_token("s3cret", "garbage", now) is None and read_token("s3cret", ".", now) is None


def test_files_stop_formulas_and_read_back() -> None:
    rows = [["1", "=HYPERLINK(\"x\")", "Neglect", "-1"]]
    assert safe("=1+1") == "'=1+1" and safe("2026-11-24") == "2026-11-24"
    text = as_csv(rows).decode("utf-8-sig")
    read = list(csv.reader(io.StringIO(text)))
    assert tuple(read[0]) == HEADINGS and read[1][:4] == ["1", "'=HYPERLINK(\"x\")", "Neglect",
                                                          "'-1"]
    book = load_workbook(io.BytesIO(as_xlsx(rows)))
    sheet = book["Tracker"]
    assert tuple(c.value for c in sheet[1]) == HEADINGS
    assert [c.value for c in sheet[2]][:3] == ["1", "'=HYPERLINK(\"x\")", "Neglect"]


@pytest.fixture
async def world(database, clock: FixedClock) -> AsyncIterator[World]:  # type: ignore[no-untyped-def]
    async with open_world(database, clock) as world:
        await world.svc.assign_role(
            LEAD, "safeguarding lead", Person(KENT_LEAD.aad_id, KENT_LEAD.teams_id, KENT_LEAD.name),
            Scope(ScopeKind.LOCALITY, "kent-and-medway"))
        yield world


@pytest.mark.storage
async def test_export_rows_carry_the_record_and_respect_scope(world: World) -> None:
    svc = world.svc
    case = await cspr_case(svc, incident=date(2026, 11, 19))
    n = case.number
    await svc.set_designated_professional(LEAD, n, None, DEV)
    await svc.update_record(LEAD, n, None, {
        "local": "DEV-77", "lfpse": "LF-9", "partnership_board": "Devon Partnership",
        "theme_1": "neglect", "stage": "analysis", "recommendation": "Share chronologies.",
        "learning_theme": "Curiosity", "signed_off_on": "2026-11-23"})
    await svc.add_action(LEAD, n, None, "Audit referrals", DEV, date(2027, 1, 31))
    await svc.record_learning(LEAD, n, None, "7-minute briefing", date(2026, 11, 23), "GPs",
                              date(2026, 11, 24))
    await svc.close_case(LEAD, n, None, "published", url="https://example.org/cspr",
                         without_briefing=True)
    kent = await cspr_case(svc, steis="2026/9001", locality="kent-and-medway")

    rows = [dict(zip(HEADINGS, r, strict=True)) for r in await svc.export_records(LEAD)]
    assert [r["Case number"] for r in rows] == [str(n), str(kent.number)]
    row = rows[0]
    assert row["StEIS number"] == "2026/5001" and row["Local reference number"] == "DEV-77"
    assert row["Identifier type(s)"] == "LFPSE: LF-9"
    assert (row["Status"], row["Date of incident"], row["Date added"]) == (
        "Closed", "2026-11-19", "2026-11-24")
    assert row["Designated professional"] == "Dev Designated"
    assert row["Safeguarding Partnership Board"] == "Devon Partnership"
    assert row["Case information"] == "Serious injury to a child."
    assert row["Abuse/vulnerability theme 1"] == "Neglect or acts of omission"
    assert row["Type of review"] == "CSPR"
    assert row["Report signed off date"] == "2026-11-23"
    assert row["Review stage"] == "Analysis and drafting"
    assert row["Locality"] == "NHS Devon ICB"
    assert (row["Publication date"], row["Link to final report"]) == (
        "2026-11-24", "https://example.org/cspr")
    assert row["Recommendations"] == "Share chronologies." and row["Themes"] == "Curiosity"
    assert row["Actions required"] == "1. Audit referrals; owner Dev Designated; due " \
                                      "2027-01-31; open"
    assert row["Learning dissemination"] == "7-minute briefing, 2026-11-23, GPs"

    # Scoped: a Kent lead sees only Kent; a locality filter narrows; no role, no export.
    kent_rows = await svc.export_records(KENT_LEAD)
    assert [r[0] for r in kent_rows] == [str(kent.number)]
    assert [r[0] for r in await svc.export_records(LEAD, "Devon")] == [str(n)]
    with pytest.raises(PermissionDenied):
        await svc.export_records(NOBODY)

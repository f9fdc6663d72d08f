"""The tab over real HTTP (the browser tests are in test_tab_browser.py): sign-in, scope, the
statistics against a known set of cases, downloads, headers and hostile input."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import START
from tests.support.openid import new_key
from tests.support.tab_world import (
    CORNWALL_LEAD,
    DEVON_LEAD,
    DEVON_Q4,
    DIRECTOR,
    NOBODY,
    OTHER_TENANT,
    REGIONAL,
    TabSite,
    tab_site,
)
from tracker.clock import FixedClock
from tracker.export import HEADINGS
from tracker.ports import Person

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
async def site(database) -> AsyncIterator[TabSite]:  # type: ignore[no-untyped-def]
    async with tab_site(database, FixedClock(START), sso=True) as s:
        yield s


@pytest.fixture
async def local(database) -> AsyncIterator[TabSite]:  # type: ignore[no-untyped-def]
    async with tab_site(database, FixedClock(START), sso=False) as s:
        yield s


async def get(site: TabSite, path: str, token: str | None = None,
              headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    h = dict(headers or {})
    if token is not None:
        h["Authorization"] = f"Bearer {token}"
    async with aiohttp.ClientSession() as http, http.get(site.url + path, headers=h) as r:
        return r.status, await r.text(errors="replace"), dict(r.headers)


def no_inline_code(html: str) -> bool:
    """No inline event handlers, no style attributes, no javascript: links (the CSP allows
    none of them, and they would be an injection's way in)."""
    return re.search(r"<[^>]+\s(on\w+|style)\s*=", html, re.I) is None \
        and "javascript:" not in html.lower()


def case_numbers(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'data-case="(\d+)"', html)}


def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', html))


def table(html: str, key: str) -> list[tuple[str, int]]:
    section = html.split(f'data-chart="{key}"', 1)[1].split("</section>", 1)[0]
    return [(label, int(n)) for label, n in re.findall(
        r'<tr><th scope="row">([^<]*)</th><td>(\d+)</td></tr>', section)]


# --- sign-in --------------------------------------------------------------------------------
async def test_a_good_token_opens_the_cases_of_the_persons_scope(site: TabSite) -> None:
    status, html, headers = await get(site, "/tab/api/cases?status=all", site.token(DEVON_LEAD))
    assert status == 200
    assert case_numbers(html) == {1, 2, 3, 4, 5, 6, 7, 8}
    for path in ("/tab/api/case/1", "/tab/api/meeting", "/tab/api/stats?period=2026-Q4"):
        _, page, _ = await get(site, path, site.token(DEVON_LEAD))
        assert no_inline_code(page), path
    assert "frame-ancestors https://teams.microsoft.com https://*.teams.microsoft.com " \
           "https://*.cloud.microsoft" in headers["Content-Security-Policy"]
    assert "script-src 'self';" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("bad", ["another audience", "another tenant", "expired", "unsigned",
                                 "another key", "no scope", "another issuer", "garbage",
                                 "not bearer"])
async def test_a_bad_token_gets_401_and_no_data(site: TabSite, bad: str) -> None:
    import jwt
    good = site.token(DEVON_LEAD)
    token = {
        "another audience": site.token(DEVON_LEAD, audience="api://elsewhere.example/x"),
        "another tenant": site.token(DEVON_LEAD, tenant=OTHER_TENANT),
        "expired": site.token(DEVON_LEAD, expires_in=-3600),
        "unsigned": jwt.encode(jwt.decode(good, options={"verify_signature": False}), None,
                               algorithm="none"),
        "another key": site.token(DEVON_LEAD, key=new_key()),
        "no scope": site.token(DEVON_LEAD, scp="User.Read"),
        "another issuer": site.token(DEVON_LEAD, issuer="https://login.example.com/x/v2.0"),
        "garbage": "not.a.token",
        "not bearer": "",
    }[bad]
    headers = {"Authorization": f"Basic {good}"} if bad == "not bearer" else None
    for path in ("/tab/api/cases?status=all", "/tab/api/case/1", "/tab/api/meeting",
                 "/tab/api/stats?period=2026-Q4", "/tab/api/export.csv"):
        status, body, _ = await get(site, path, None if headers else token, headers)
        assert status == 401, (bad, path)
        assert "Case 1" not in body and "incident" not in body.lower()
    status, _, _ = await get(site, "/tab/api/cases")  # no header at all
    assert status == 401


async def test_the_page_shells_carry_no_data_and_no_inline_script(site: TabSite) -> None:
    for path in ("/tab/", "/tab/case/1", "/tab/meeting", "/tab/stats", "/tab/configure"):
        status, html, headers = await get(site, path)
        assert status == 200, path
        assert "Serious incident" not in html and "data-case" not in html
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []  # none inline
        assert no_inline_code(html)
        assert "frame-ancestors" in headers["Content-Security-Policy"]
        assert "teams-js.min.js" in html or path == "/tab/configure"


async def test_local_mode_picks_are_refused_once_signed_in_mode_is_on(site: TabSite) -> None:
    status, _, _ = await get(site, "/tab/api/cases", headers={"X-Tab-As": DEVON_LEAD.aad_id})
    assert status == 401
    _, html, _ = await get(site, f"/tab/?as={DEVON_LEAD.aad_id}")
    assert "Ada Devon" not in html and "Try the tab as someone" not in html


# --- scope ------------------------------------------------------------------------------------
@pytest.mark.parametrize("who,expected", [
    (DEVON_LEAD, {1, 2, 3, 4, 5, 6, 7, 8}), (CORNWALL_LEAD, {9, 10, 11}),
    (REGIONAL, set(range(1, 12))), (DIRECTOR, {1, 2, 3, 4, 5, 6, 7, 8})])
async def test_each_person_sees_exactly_their_scope(site: TabSite, who: Person,
                                                    expected: set[int]) -> None:
    token = site.token(who)
    _, html, _ = await get(site, "/tab/api/cases?status=all", token)
    assert case_numbers(html) == expected
    for n in range(1, 13):
        status, body, _ = await get(site, f"/tab/api/case/{n}", token)
        assert status == (200 if n in expected else 404), n
        if n not in expected:
            assert "Serious incident" not in body
            assert "couldn&#39;t find case" in body


async def test_a_person_with_no_role_sees_nothing(site: TabSite) -> None:
    token = site.token(NOBODY)
    for path in ("/tab/api/cases", "/tab/api/case/1", "/tab/api/meeting",
                 "/tab/api/stats?period=2026-Q4", "/tab/api/export.csv"):
        status, body, _ = await get(site, path, token)
        assert status == 403, path
        assert "Serious incident" not in body and "data-case" not in body
        assert "safeguarding role" in body


async def test_an_icb_a_user_never_counts_icb_b(site: TabSite) -> None:
    token = site.token(DEVON_LEAD)
    _, html, _ = await get(site, "/tab/api/stats?area=region:south-west&period=2026-Q4", token)
    assert figures(html)["new"] == str(DEVON_Q4.new)  # Devon's 4, not the region's 6
    assert table(html, "late") == list(DEVON_Q4.late)
    status, html, _ = await get(site, "/tab/api/stats?area=icb:cornwall-and-the-isles-of-scilly"
                                      "&period=2026-Q4", token)
    assert status == 400 and "data-figure" not in html
    _, html, _ = await get(site, "/tab/api/cases?icb=cornwall-and-the-isles-of-scilly", token)
    assert case_numbers(html) == set() and "0 cases" in html  # filtered within scope


# --- statistics -------------------------------------------------------------------------------
async def test_statistics_for_a_quarter_match_the_cases_created(site: TabSite) -> None:
    _, html, _ = await get(site, "/tab/api/stats?area=icb:devon&period=2026-Q4",
                           site.token(REGIONAL))
    e = DEVON_Q4
    f = figures(html)
    assert f["new"] == str(e.new) and f["rapid"] == str(e.rapid)
    assert f["converted"] == str(e.converted)
    assert (f["closed"], f["published"], f["embargoed"]) == (str(e.closed), str(e.published),
                                                             str(e.embargoed))
    assert f["median"] == f"{e.median_days} days"
    assert f["within"] == f"{e.within} of {e.published}"
    assert table(html, "paths") == list(e.by_path)
    assert table(html, "types") == list(e.by_type)
    assert table(html, "rapid") == [("Rapid Reviews", e.rapid), ("Converted to a CSPR",
                                                                 e.converted)]
    assert table(html, "outcomes") == [("Closed", e.closed), ("Published", e.published),
                                       ("Embargoed", e.embargoed)]
    assert table(html, "publication") == [("Median", e.median_days), ("Six-month target", 183)]
    assert table(html, "late") == list(e.late)
    assert table(html, "themes") == list(e.themes)
    assert html.count('src="data:image/svg+xml;base64,') == 7


async def test_statistics_for_the_region_count_both_icbs(site: TabSite) -> None:
    _, html, _ = await get(site, "/tab/api/stats?area=region:south-west&period=2026-Q4",
                           site.token(REGIONAL))
    f = figures(html)
    assert f["new"] == "6" and f["rapid"] == "3" and f["closed"] == "4"
    assert table(html, "late") == [("NHS Devon ICB", 2),
                                   ("NHS Cornwall and the Isles of Scilly ICB", 1)]
    _, html, _ = await get(site, "/tab/api/stats?area=region:south-west&period=2026-10",
                           site.token(REGIONAL))
    assert figures(html)["new"] == "3"  # cases 1, 2 (Devon) and 9 (Cornwall) in October


# --- case page, meeting, downloads ------------------------------------------------------------
async def test_the_case_page_shows_record_deadlines_actions_timeline_and_thread(
        site: TabSite) -> None:
    status, html, _ = await get(site, "/tab/api/case/1", site.token(DEVON_LEAD))
    assert status == 200
    assert "Case 1" in html and "Overdue" in html
    assert "SIN notification" in html and "overdue" in html
    assert "Chronology from the trust" in html
    timeline = html.split("<h2>Timeline</h2>", 1)[1]
    assert "Panel decided: Rapid Review" in timeline and "Ada Devon" in timeline
    assert "State: Path 1 (case review), awaiting panel decision → Path 1, Rapid Review in " \
           "progress" in timeline
    assert "rapid_review" not in timeline  # plain English, no keys
    assert "StEIS number" in html and "2026/1001" in html
    assert ("https://teams.microsoft.com/l/message/19%3Ageneral%40thread.tacv2/1700000000001?"
            "tenantId=") in html
    # a director may view but not see the history
    _, html, _ = await get(site, "/tab/api/case/1", site.token(DIRECTOR))
    assert "doesn't include the case's history" in html


async def test_the_meeting_agenda_puts_overdue_first(site: TabSite) -> None:
    _, html, _ = await get(site, "/tab/api/meeting?icb=devon", site.token(DEVON_LEAD))
    headings = re.findall(r'<h2 id="g-\d+">([^<]*)</h2>', html)
    assert headings[0] == "Overdue (2)"
    assert html.index("Case 1<") < html.index("Case 2<")
    assert "Case 9<" not in html


async def test_download_is_the_filtered_view_in_the_national_order(site: TabSite) -> None:
    status, body, headers = await get(site, "/tab/api/export.csv?status=all&review_type=cspr",
                                      site.token(REGIONAL))
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert tuple(rows[0]) == HEADINGS
    assert sorted(int(r[0]) for r in rows[1:]) == [2, 5, 8, 11]
    status, _, headers = await get(site, "/tab/api/export.xlsx?icb=devon",
                                   site.token(DEVON_LEAD))
    assert status == 200 and "spreadsheetml" in headers["Content-Type"]
    status, body, _ = await get(site, "/tab/api/export.csv", site.token(DIRECTOR))
    assert status == 403  # a director may view but not export


@pytest.mark.parametrize("query", [
    "icb=%00%ff", "page=-5", "page=99999999999999999999", "sort=1;DROP TABLE cases",
    "added_from=2026-13-45", "review_type=<script>", "status=%E2%80%AE", "stage=" + "x" * 5000,
    "overdue=yes&path=nowhere"])
async def test_hostile_filters_get_a_page_not_an_error(site: TabSite, query: str) -> None:
    status, html, _ = await get(site, "/tab/api/cases?" + query, site.token(DEVON_LEAD))
    assert status == 200
    assert "<script>" not in html and "DROP TABLE" not in html
    status, _, _ = await get(site, "/tab/api/stats?period=" + query, site.token(DEVON_LEAD))
    assert status == 200


@pytest.mark.parametrize("path", ["/tab/api/case/abc", "/tab/api/case/99999999999",
                                  "/tab/api/case/-1", "/tab/api/export.exe",
                                  "/tab/api/stats?area=icb:%00"])
async def test_hostile_paths_get_a_polite_4xx(site: TabSite, path: str) -> None:
    status, body, _ = await get(site, path, site.token(DEVON_LEAD))
    assert 400 <= status < 500
    assert "Traceback" not in body


# --- local try-out ----------------------------------------------------------------------------
async def test_local_mode_offers_a_picker_and_opens_as_that_person(local: TabSite) -> None:
    status, html, _ = await get(local, "/tab/")
    assert status == 200 and "Try the tab as someone" in html
    assert f"/tab/?as={DEVON_LEAD.aad_id}" in html and "Ben Cornwall" in html
    _, html, _ = await get(local, f"/tab/?as={DEVON_LEAD.aad_id}")
    assert f'data-as="{DEVON_LEAD.aad_id}"' in html and "Local try-out" in html
    _, html, _ = await get(local, "/tab/api/cases?status=all",
                           headers={"X-Tab-As": DEVON_LEAD.aad_id})
    assert case_numbers(html) == {1, 2, 3, 4, 5, 6, 7, 8}
    for who in ("someone-never-seen", "", "<x>"):
        status, _, _ = await get(local, "/tab/api/cases", headers={"X-Tab-As": who})
        assert status == 401
    status, _, _ = await get(local, "/tab/api/cases", token="x")
    assert status == 401  # no SSO in local mode


def test_vendored_browser_files_are_the_pinned_npm_packages() -> None:
    vendor = ROOT / "tab" / "static" / "vendor"
    lock = json.loads((ROOT / "tools" / "tab-browser" / "package-lock.json").read_text())
    pinned = {k.removeprefix("node_modules/"): v["version"] for k, v in lock["packages"].items()
              if k.startswith("node_modules/")}
    assert json.loads((vendor / "VERSIONS.json").read_text()) == {
        "htmx.org": pinned["htmx.org"], "@microsoft/teams-js": pinned["@microsoft/teams-js"]}
    modules = ROOT / "tools" / "tab-browser" / "node_modules"
    if not modules.is_dir():
        pytest.skip("tools/tab-browser/node_modules is missing: run `npm ci` there")
    assert (vendor / "htmx.min.js").read_bytes() == \
        (modules / "htmx.org" / "dist" / "htmx.min.js").read_bytes()
    teams_js = modules / "@microsoft" / "teams-js" / "dist" / "umd" / "MicrosoftTeams.min.js"
    assert (vendor / "teams-js.min.js").read_bytes() == teams_js.read_bytes()


async def test_an_nhs_number_that_slipped_into_a_record_is_masked(site: TabSite) -> None:
    """The identifier guard stops NHS numbers at the door; if one was stored anyway (an old
    import), the tab masks it as the bot's replies do."""
    from tests.support.tab_world import DEVON, _case
    from tracker.model import State
    service = site.bot.services.service
    case = _case(43, DEVON, START.date(), State.NEW)
    case.summary = "Referred after A&E visit, NHS number 943 476 5919 on the referral."
    async with service.uow() as uow:
        await uow.cases.add(case, None)
        await uow.commit()
    token = site.token(DEVON_LEAD)
    for path in ("/tab/api/case/43", "/tab/api/cases"):
        status, html, _ = await get(site, path, token)
        assert status == 200 and "Referred after" in html, path
        assert "943 476 5919" not in html and "9434765919" not in html, path
